import { spawnAgent } from '../test/edge/agent-process.ts';
import { edgeTestBed } from '../test/edge/harness.ts';
import { saleEvent, shelfCountEvent } from '../test/edge/pos-events.ts';
import { runTerminal } from '../test/edge/pos-simulator.ts';
import { median, round, writeResult } from './lib/result-file.ts';

// Resident memory of the agent process (Linux VmRSS) once a store's full assortment has moved: a
// shelf count and a sale for each of 50,000 SKUs (100,000 events), all scored and forwarded. Per-SKU
// state lives in SQLite, not in the heap, so memory should not grow with the assortment. Baseline,
// same run: the same agent process just after start-up, before any event. ratio = value ÷ baseline.
const skus = 50_000;
const runs = Number(process.env.TG_BENCH_RUNS ?? 5);
const mb = (bytes: number) => bytes / 1024 / 1024;

async function run(): Promise<{ idle: number; loaded: number }> {
  const bed = await edgeTestBed('bench-rss');
  const agent = await spawnAgent(bed.config({ logLevel: 'warn' }));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idle = await agent.rssBytes();
    const names = Array.from({ length: skus }, (_, i) => `SKU-${i + 1}`);
    const counts = names.map((sku, i) => shelfCountEvent(bed.storeId, 't1', i + 1, sku, 20 + (i % 30)));
    const sales = names.map((sku, i) => saleEvent(bed.storeId, 't2', i + 1, [{ sku, quantity: 1 + (i % 3) }]));
    await Promise.all([
      runTerminal({
        port: () => agent.mqttPort,
        storeId: bed.storeId,
        terminalId: 't1',
        events: counts,
        window: 300,
        onAck: () => undefined,
      }),
      runTerminal({
        port: () => agent.mqttPort,
        storeId: bed.storeId,
        terminalId: 't2',
        events: sales,
        window: 300,
        onAck: () => undefined,
      }),
    ]);
    for (;;) {
      const status = (await agent.status()) as { backlog: { events: number } };
      if (status.backlog.events === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { memory } = (await agent.status()) as { memory: { heap_used_bytes: number } };
    process.stdout.write(
      `run: idle ${mb(idle).toFixed(1)} MB, loaded ${mb(await agent.rssBytes()).toFixed(1)} MB, heap used ${mb(memory.heap_used_bytes).toFixed(1)} MB\n`,
    );
    return { idle, loaded: await agent.rssBytes() };
  } finally {
    await agent.stop();
    await bed.cleanup();
  }
}

const results: { idle: number; loaded: number }[] = [];
for (let i = 0; i < runs; i++) results.push(await run());
const loaded = results.map((result) => mb(result.loaded));
const value = median(loaded);
const baseline = median(results.map((result) => mb(result.idle)));
const file = writeResult({
  name: 'edge-rss',
  what: `agent resident memory (VmRSS) after a shelf count and a sale for each of ${skus} SKUs, scored and forwarded; ratio = value ÷ baseline`,
  unit: 'MB',
  value: round(value, 1),
  baseline: { what: 'the same agent process just after start-up, no events yet', value: round(baseline, 1) },
  ratio: round(value / baseline, 2),
  goal: { value_at_most: 200 },
  runs,
  spread: { min: round(Math.min(...loaded), 1), max: round(Math.max(...loaded), 1) },
  command: 'npm run bench -- edge-rss',
});
process.stdout.write(`edge-rss: ${round(value, 1)} MB with ${skus} SKUs (idle ${round(baseline, 1)} MB) -> ${file}\n`);
// On Node 20 a handle of the test bed outlives the runs and kept node20-compare waiting for ever.
process.exit(0);
