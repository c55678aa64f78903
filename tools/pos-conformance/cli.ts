#!/usr/bin/env -S npx tsx
// The POS conformance kit: runs a terminal against a test broker and reports each contract check.
//   npx tsx tools/pos-conformance/cli.ts [--events 20] [--store store-001] [--terminal pos-01] -- <terminal command...>
// Exit code 0 when no check fails. Usage and what each check means: docs/pos-integration.md.
import { parseArgs } from 'node:util';
import { runKit } from './run-kit.ts';

const split = process.argv.indexOf('--');
const { values } = parseArgs({
  args: process.argv.slice(2, split === -1 ? undefined : split),
  options: {
    events: { type: 'string', default: '20' },
    store: { type: 'string', default: 'store-001' },
    terminal: { type: 'string', default: 'pos-01' },
    'timeout-s': { type: 'string', default: '60' },
  },
});
const command = split === -1 ? [] : process.argv.slice(split + 1);
if (command.length === 0) {
  process.stderr.write(
    'usage: cli.ts [--events N] [--store ID] [--terminal ID] -- <command that starts your terminal>\n',
  );
  process.exit(2);
}
const report = await runKit({
  command,
  storeId: values.store,
  terminalId: values.terminal,
  events: Number(values.events),
  timeoutMs: Number(values['timeout-s']) * 1_000,
});
for (const check of report.checks)
  process.stdout.write(`${check.outcome.toUpperCase().padEnd(7)} ${check.name}: ${check.evidence}\n`);
process.stdout.write(report.passed ? 'conformant\n' : 'NOT conformant (see the failed checks above)\n');
process.exit(report.passed ? 0 : 1);
