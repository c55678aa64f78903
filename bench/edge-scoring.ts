import { emptyFeatureState, type SkuFeatureState, stockoutFeatures } from '@tillgate/shared';
import { bundledPublicKeysPem, defaultModelDir, StockoutScorer } from '../edge/src/scoring/index.ts';
import { median, round, writeResult } from './lib/result-file.ts';

// ONNX scoring cost per SKU on the bundled default model (onnxruntime-node, 1 intra-op thread as the
// agent runs it): one run per SKU (what a lone sale costs) against one run for a batch of 1,000 SKUs
// (a burst, or the agent's catch-up after a restart). Runs alternate so both see the same machine.
const batchSize = 1_000;
const runs = 7;

const rows: Float32Array[] = Array.from({ length: batchSize }, (_, index) => {
  const state: SkuFeatureState = {
    ...emptyFeatureState(),
    onHand: index % 40,
    dailyUnits: { [new Date().toISOString().slice(0, 10)]: index % 7 },
    lastSaleAt: new Date(Date.now() - (index % 48) * 3_600_000).toISOString(),
  };
  return stockoutFeatures(
    state,
    { soldUnits: 5_000, dailyUnits: {}, lastSaleAt: new Date().toISOString() },
    new Date(),
  );
});

const scorer = await StockoutScorer.load(defaultModelDir, bundledPublicKeysPem());
const perSku = async (batched: boolean): Promise<number> => {
  const started = process.hrtime.bigint();
  if (batched) await scorer.scoreBatch(rows);
  else for (const row of rows) await scorer.scoreBatch([row]);
  return Number(process.hrtime.bigint() - started) / 1_000 / batchSize;
};
await perSku(true);
await perSku(false);
const single: number[] = [];
const batched: number[] = [];
for (let run = 0; run < runs; run++) {
  single.push(await perSku(false));
  batched.push(await perSku(true));
}
await scorer.close();

const value = median(batched);
const baseline = median(single);
const file = writeResult({
  name: 'edge-scoring',
  what: `ONNX stock-out scoring cost per SKU, batches of ${batchSize} (model ${scorer.name}@${scorer.version}); ratio = single ÷ batched (speed-up)`,
  unit: 'µs/SKU',
  value: round(value, 2),
  baseline: { what: 'the same rows scored one onnxruntime run per SKU', value: round(baseline, 2) },
  ratio: round(baseline / value, 1),
  goal: { ratio_at_least: 1 },
  runs,
  spread: { min: round(Math.min(...batched), 2), max: round(Math.max(...batched), 2) },
  command: 'npm run bench -- edge-scoring',
});
process.stdout.write(`edge-scoring: ${round(value, 2)} µs/SKU batched vs ${round(baseline, 2)} single -> ${file}\n`);
