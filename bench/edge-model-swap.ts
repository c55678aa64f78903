import type { ModelUpdateStatus } from '@tillgate/shared';
import { spawnAgent } from '../test/edge/agent-process.ts';
import { connectTerminal } from '../test/edge/harness.ts';
import { saleEvent, shelfCountEvent } from '../test/edge/pos-events.ts';
import { startTraffic, updaterBed } from '../test/edge/updater-kit.ts';
import { median, pooledLatency, round, writeResult } from './lib/result-file.ts';

// A model swap under live load (issue 10): the agent runs as its own process (store-PC runtime) with
// the updater on; each run offers the same paced load twice, once quiet and once while a new signed
// release is downloaded, verified, shadowed (1 s) and swapped in. Figures: alert latency p99 (publish of
// the stock-out sale -> display receives the alert) and intake (PUBACKs per second) during the swap vs
// without; ratio = intake during ÷ without. Also the update's wall time (order sent -> active).
const rate = 500; // events/s offered
const seconds = 6;
const runs = Number(process.env.TG_BENCH_RUNS ?? 5);
const triggerEvery = 10;

const bed = await updaterBed('bench-swap');
const store = await bed.store('swap', { logLevel: 'warn', updater: { shadowMs: 1_000, watchMs: 1_000 } });
const agent = await spawnAgent(store.config);
const warm = await startTraffic(agent.mqttPort, store.storeId, 5, 50);
await warm.stop();
const terminal = await connectTerminal(agent.mqttPort, 't2');
const display = await connectTerminal(agent.mqttPort, 'display');
const sentAt = new Map<string, number>();
const latencies: number[] = [];
display.on('message', (_topic, payload, packet) => {
  if (packet.retain) return;
  const alert = JSON.parse(payload.toString('utf8')) as { trigger_event_id: string; state: string };
  const at = sentAt.get(alert.trigger_event_id);
  if (alert.state === 'raised' && at !== undefined) latencies.push(performance.now() - at);
});
await display.subscribeAsync(`tillgate/${store.storeId}/alerts/#`, { qos: 1 });
const topic = `tillgate/${store.storeId}/pos/t2/events`;
let seq = 0;
// Fillers are stocked so they never near zero: only the triggers carry stock-out risk, and the rows
// scored are mostly fillers, as in a store (a shadow judges the would-be alert rate per scored row).
const fillers = Array.from({ length: 200 }, (_, index) => `FILLER-${index}`);
await Promise.all(
  fillers.map((sku) =>
    terminal.publishAsync(topic, JSON.stringify(shelfCountEvent(store.storeId, 't2', ++seq, sku, 1_000_000)), {
      qos: 1,
    }),
  ),
);
let skuCounter = 0;

async function load(): Promise<{ samples: number[]; intakePerSecond: number }> {
  latencies.length = 0;
  const triggers = (rate * seconds) / triggerEvery;
  const skus = Array.from({ length: triggers }, () => `TRG-${++skuCounter}`);
  // 5 on hand: one 5-unit sale empties the shelf (risk 0.88 under the tiny model, above its 0.7).
  await Promise.all(
    skus.map((sku) =>
      terminal.publishAsync(topic, JSON.stringify(shelfCountEvent(store.storeId, 't2', ++seq, sku, 5)), { qos: 1 }),
    ),
  );
  const started = performance.now();
  let sent = 0;
  let acked = 0;
  let trigger = 0;
  const total = rate * seconds;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * rate) + rate / 100);
    while (sent < due) {
      sent++;
      const isTrigger = sent % triggerEvery === 0;
      const event = isTrigger
        ? saleEvent(store.storeId, 't2', ++seq, [{ sku: skus[trigger++] as string, quantity: 5 }])
        : saleEvent(store.storeId, 't2', ++seq, [{ sku: fillers[sent % fillers.length] as string, quantity: 1 }]);
      if (isTrigger) sentAt.set(event.event_id, performance.now());
      terminal.publish(topic, JSON.stringify(event), { qos: 1 }, () => acked++);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  while (acked < total) await new Promise((resolve) => setTimeout(resolve, 5));
  const intakePerSecond = total / ((performance.now() - started) / 1_000);
  const deadline = performance.now() + 30_000;
  while (latencies.length < triggers && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { samples: [...latencies], intakePerSecond };
}

const state = async () =>
  (((await agent.status()).model_update as ModelUpdateStatus) ?? { state: 'none' }) as ModelUpdateStatus;

async function withSwap(version: string): Promise<{ samples: number[]; intakePerSecond: number; swapMs: number }> {
  const release = bed.release(version);
  await bed.upload(release);
  const ordered = performance.now();
  await bed.assign(store, release, { shadow_ms: 1_000 });
  let swapMs = Number.NaN;
  const watch = (async () => {
    for (;;) {
      const current = await state();
      if (current.state === 'active' && current.version === version) {
        swapMs = performance.now() - ordered;
        return;
      }
      if (current.state === 'rejected' || current.state === 'rolled_back')
        throw new Error(`update ${version}: ${current.reason}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const result = await load();
  await watch;
  return { ...result, swapMs };
}

try {
  await load();
  const quiet: Awaited<ReturnType<typeof load>>[] = [];
  const swapping: Awaited<ReturnType<typeof withSwap>>[] = [];
  for (let run = 0; run < runs; run++) {
    quiet.push(await load());
    swapping.push(await withSwap(`1.${run + 1}.0`));
  }
  const during = pooledLatency(
    swapping.map((r) => r.samples),
    2,
  );
  const without = pooledLatency(
    quiet.map((r) => r.samples),
    2,
  );
  const intakeDuring = median(swapping.map((r) => r.intakePerSecond));
  const intakeWithout = median(quiet.map((r) => r.intakePerSecond));
  const swapMs = swapping.map((r) => round(r.swapMs, 0));
  const file = writeResult({
    name: 'edge-model-swap',
    what: `intake (PUBACKs/s) while a signed release is downloaded, shadowed (1 s) and swapped in, at ${rate} events/s offered; ratio = intake during the swap ÷ without. Alert latency p99 (pooled) during vs without in alert_latency_ms`,
    unit: 'events/s',
    value: round(intakeDuring, 0),
    baseline: { what: 'the same load in the same run without an update', value: round(intakeWithout, 0) },
    ratio: round(intakeDuring / intakeWithout, 3),
    runs,
    spread: {
      min: round(Math.min(...swapping.map((r) => r.intakePerSecond)), 0),
      max: round(Math.max(...swapping.map((r) => r.intakePerSecond)), 0),
    },
    alert_latency_ms: {
      during_swap: during,
      without_swap: without,
      ratio_p99: round(without.p99 / during.p99, 3),
    },
    update_wall_time_ms: {
      median: median(swapMs),
      per_run: swapMs,
      includes: 'order on Kafka -> download -> verify -> load -> 1 s shadow -> swap',
    },
    offered_load: { events_per_s: rate, seconds, triggers_per_run: (rate * seconds) / triggerEvery },
    command: 'npm run bench -- edge-model-swap',
  });
  console.info(`wrote ${file}`);
} finally {
  await Promise.all([terminal.endAsync(), display.endAsync()]);
  await agent.stop();
  await bed.cleanup();
}
