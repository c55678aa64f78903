#!/usr/bin/env -S npx tsx
// tillgate simulators CLI. `history` writes a Parquet dataset; `live` runs terminals over MQTT;
// `wan` runs the per-store WAN chaos proxies in front of Kafka; `dimensions` writes the hub's master data. Usage: see simulators/README.md.
import { parseArgs } from 'node:util';
import { TillgateError } from '@tillgate/shared/errors';
import { runFeedbackLabelsCommand } from './alert-quality/feedback-labels-command.ts';
import { runAlertThresholdsCommand } from './alert-quality/thresholds-command.ts';
import { runCatalogCommand } from './catalog-command.ts';
import { runDimensionsCommand } from './dimensions-command.ts';
import { runHistoryCommand } from './history-command.ts';
import { runLiveCommand } from './live-command.ts';
import { runWanCommand } from './wan-command.ts';

const commands: Record<string, (args: string[]) => Promise<void>> = {
  history: runHistoryCommand,
  live: runLiveCommand,
  wan: runWanCommand,
  catalog: runCatalogCommand,
  dimensions: runDimensionsCommand,
  'alert-thresholds': runAlertThresholdsCommand,
  'feedback-labels': runFeedbackLabelsCommand,
};

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv.slice(0, 1), allowPositionals: true, strict: false });
  const name = positionals[0];
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    process.stderr.write(`usage: cli.ts <${Object.keys(commands).join('|')}> [options]  (see simulators/README.md)\n`);
    process.exitCode = 2;
    return;
  }
  await command(argv.slice(1));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const code = error instanceof TillgateError ? `${error.code}: ` : '';
  process.stderr.write(`tillgate-sim: ${code}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
