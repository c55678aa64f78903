import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runKit } from './run-kit.ts';

// The kit against real terminals over real MQTT (aedes): the simulators' terminal is the reference
// and must pass; a deliberately broken terminal must fail exactly the check its fault breaks.
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const tsx = (file: string, ...args: string[]) => [process.execPath, '--import', 'tsx', here(file), ...args];

async function failedChecks(command: string[]): Promise<string[]> {
  const report = await runKit({ command, storeId: 'store-001', terminalId: 'pos-01', events: 12, timeoutMs: 45_000 });
  return report.checks.filter((check) => check.outcome === 'fail').map((check) => check.name);
}

describe('POS conformance kit', () => {
  it('passes the simulators reference terminal on every check', async () => {
    const report = await runKit({
      command: tsx('reference-terminal.ts'),
      storeId: 'store-001',
      terminalId: 'pos-01',
      events: 12,
      timeoutMs: 45_000,
    });
    expect(report.checks.map((check) => [check.name, check.outcome])).toEqual([
      ['publishes on its own events topic', 'pass'],
      ['payloads validate against the contract', 'pass'],
      ['publishes with QoS 1', 'pass'],
      ['after a withheld PUBACK, re-sends the same event_id', 'pass'],
      ['terminal_seq increases by one per event', 'pass'],
      ['subscribes to its replies and keeps going after a reject', 'pass'],
      ['sends a Z-report at close that matches its events', 'pass'],
    ]);
    expect(report.passed).toBe(true);
  }, 60_000);

  it.each([
    ['new-id-on-resend', ['after a withheld PUBACK, re-sends the same event_id']],
    ['skip-seq', ['terminal_seq increases by one per event']],
    ['qos0', ['publishes with QoS 1', 'after a withheld PUBACK, re-sends the same event_id']],
    ['z-report-short', ['sends a Z-report at close that matches its events']],
  ])(
    'fails a terminal with fault %s on exactly %j',
    async (fault, expected) => {
      expect(await failedChecks(tsx('fixtures/broken-terminal.ts', '--break', fault))).toEqual(expected);
    },
    60_000,
  );
});
