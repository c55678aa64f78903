import { join } from 'node:path';
import { localStack } from '@tillgate/shared/local-stack';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../edge/src/config.ts';
import { type AgentProcess, spawnAgent } from './agent-process.ts';
import { type EdgeTestBed, edgeTestBed, eventually } from './harness.ts';
import { saleEvent } from './pos-events.ts';

// External-broker mode writes its own PUBACK after the group commit (issue 15 item 7). Killed with
// SIGKILL mid-stream, the agent must lose nothing Mosquitto took from the terminals: every message
// it had not acknowledged is re-delivered on its persistent session after the restart.
describe('edge agent on Mosquitto, killed mid-stream', () => {
  let bed: EdgeTestBed;
  let config: EdgeConfig;
  let agent: AgentProcess | null = null;
  // The agent's own account and terminal t1's (deploy/local/mosquitto/acl.template).
  const auth = { ...localStack.mqtt.agent, reconnectPeriod: 0 };
  const terminalAuth = { username: 't1', password: localStack.mqtt.terminalPassword, reconnectPeriod: 0 };

  beforeAll(async () => {
    bed = await edgeTestBed('extcrash');
    config = {
      ...bed.config({ logLevel: 'warn' }),
      mqtt: {
        mode: 'external',
        url: localStack.mqtt.url,
        ...localStack.mqtt.agent,
        clientId: `edge-${bed.storeId}`,
      },
    };
  });
  afterAll(async () => {
    await agent?.stop();
    const cleaner = await mqtt.connectAsync(localStack.mqtt.url, {
      ...auth,
      clientId: `edge-${bed.storeId}`,
      clean: true,
    });
    await cleaner.endAsync();
    await bed?.cleanup();
  });

  it('stores every message exactly once after a SIGKILL and a restart', { timeout: 120_000 }, async () => {
    agent = await spawnAgent(config);
    const stored = async () =>
      ((await (agent as AgentProcess).status()) as { intake: { stored: number } }).intake.stored;
    const terminal = await mqtt.connectAsync(localStack.mqtt.url, terminalAuth);
    const topic = `tillgate/${bed.storeId}/pos/t1/events`;
    const events = Array.from({ length: 1_500 }, (_, n) => saleEvent(bed.storeId, 't1', n + 1));
    const publish = async (from: number, to: number) => {
      for (let offset = from; offset < to; offset += 100) {
        await Promise.all(
          events
            .slice(offset, Math.min(offset + 100, to))
            .map((event) => terminal.publishAsync(topic, JSON.stringify(event), { qos: 1 })),
        );
      }
    };
    // The first half streams while the agent is killed; the second half is published after the kill,
    // so it can only reach the restarted agent (a fast agent could otherwise finish the whole stream
    // between the status poll and the kill, and the test would not be mid-stream at all).
    const firstHalf = publish(0, events.length / 2);
    await eventually(async () => expect(await stored()).toBeGreaterThan(200), 60_000);
    const exited = new Promise((resolve) => agent?.child.once('exit', resolve));
    agent.child.kill('SIGKILL');
    await exited;
    await firstHalf;
    await publish(events.length / 2, events.length);
    await terminal.endAsync();

    agent = await spawnAgent(config);
    const count = () => {
      const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
      try {
        return db.prepare("SELECT count(*) FROM outbox WHERE topic = 'sales-transactions'").pluck().get() as number;
      } finally {
        db.close();
      }
    };
    await eventually(() => expect(count()).toBe(events.length), 60_000);
    // The kill was mid-stream: part of the stream reached only the restarted agent.
    expect(await stored()).toBeGreaterThan(0);
    const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
    const ids = new Set(db.prepare("SELECT event_id FROM outbox WHERE topic = 'sales-transactions'").pluck().all());
    db.close();
    expect(events.filter((event) => !ids.has(event.event_id))).toEqual([]);
  });
});
