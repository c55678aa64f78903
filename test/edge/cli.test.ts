import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePosPayload, type StoreEvent } from '@tillgate/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../edge/src/store/sqlite-store.ts';
import { type EdgeTestBed, edgeTestBed } from './harness.ts';
import { saleEvent } from './pos-events.ts';

// The store-IT CLI as a real process: config validation at start, and the database commands
// (backlog, replay, export-rejects) against a real agent database file.
const cli = join(import.meta.dirname, '../../edge/src/cli.ts');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('tillgate-edge CLI', () => {
  let bed: EdgeTestBed;
  let configFile: string;

  beforeAll(async () => {
    bed = await edgeTestBed('cli');
    configFile = join(bed.dataDir, 'agent.json');
    writeFileSync(configFile, JSON.stringify(bed.config()));
    const store = openSqliteStore(join(bed.dataDir, 'edge.db'));
    const stamp = (seq: number): StoreEvent => {
      const result = parsePosPayload(JSON.stringify(saleEvent(bed.storeId, 't1', seq)), new Date());
      if (!result.ok) throw result.violation;
      return result.event;
    };
    store.commitIntake([1, 2, 3].map((seq) => ({ kind: 'event' as const, event: stamp(seq), payload: '{}' })));
    const [first] = store.readUnsent(3);
    store.markSent([first?.seq ?? 0], new Date());
    store.commitIntake([
      {
        kind: 'reject',
        receivedAt: new Date().toISOString(),
        terminalId: 't1',
        topic: 'x',
        eventId: 'e-9',
        field: 'lines.0.quantity',
        reason: 'quantity must be greater than 0',
        code: 'TG_SHARED_CONTRACT_VIOLATION',
        payload: '{}',
      },
    ]);
    store.close();
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('exits non-zero naming the bad key of an invalid config', () => {
    const bad = join(bed.dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...bed.config(), alerts: { raiseAbove: 0.3, clearBelow: 0.6 } }));
    const result = run('start', '--config', bad);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/TG_SHARED_INVALID_CONFIG.*"alerts\.clearBelow"/);
  });

  it('names an unknown key and a missing file', () => {
    const bad = join(bed.dataDir, 'typo.json');
    writeFileSync(bad, JSON.stringify({ ...bed.config(), kafkaa: {} }));
    expect(run('backlog', '--config', bad).stderr).toMatch(/"kafkaa"/);
    expect(run('backlog', '--config', join(bed.dataDir, 'missing.json')).stderr).toMatch(/cannot read config file/);
  });

  it('shows the backlog, replays a range and exports rejects', () => {
    const backlog = run('backlog', '--config', configFile);
    expect(JSON.parse(backlog.stdout)).toMatchObject({ events: 2 });
    const replay = run('replay', '--config', configFile, '--from', '0', '--to', '100');
    expect(JSON.parse(replay.stdout)).toMatchObject({ requeued: 1 });
    expect(JSON.parse(run('backlog', '--config', configFile).stdout)).toMatchObject({ events: 3 });
    const rejects = run('export-rejects', '--config', configFile).stdout.trim().split('\n');
    expect(rejects.map((line) => JSON.parse(line))).toMatchObject([{ eventId: 'e-9', field: 'lines.0.quantity' }]);
    expect(run('replay', '--config', configFile, '--from', '5', '--to', '1').stderr).toMatch(
      /TG_EDGE_BAD_REPLAY_RANGE/,
    );
  });

  it('says so when no agent answers the status command', () => {
    const result = run('status', '--config', configFile);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/TG_EDGE_STATUS_UNAVAILABLE/);
  });
});
