// Scores a file of feature rows with StockoutScorer: the onnxruntime-node leg of the parity gate
// (models/tillgate_models/parity.py). Same load path as the agent, so signature, hash and feature-spec
// checks are part of what parity proves.
//   npx tsx edge/src/scoring/score-rows-cli.ts <model-dir> <rows.f32> <out.f32> [extra-trusted-key.pem]
// rows.f32: little-endian float32, rows of stockoutFeatureNames.length values; out.f32: one float32 per row.
import { readFileSync, writeFileSync } from 'node:fs';
import { stockoutFeatureNames } from '@tillgate/shared';
import { bundledPublicKeysPem } from './default-model.ts';
import { StockoutScorer } from './stockout-scorer.ts';

// Batches of this many rows per onnxruntime run, like the agent's periodic scoring pass.
const batchRows = 4096;

const [modelDir, rowsPath, outPath, extraKeyPath] = process.argv.slice(2);
if (modelDir === undefined || rowsPath === undefined || outPath === undefined) {
  process.stderr.write('usage: score-rows-cli.ts <model-dir> <rows.f32> <out.f32> [extra-trusted-key.pem]\n');
  process.exit(2);
}
const bytes = readFileSync(rowsPath);
const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const width = stockoutFeatureNames.length;
const rows: Float32Array[] = [];
for (let offset = 0; offset < values.length; offset += width) rows.push(values.subarray(offset, offset + width));

// The extra key lets tests sign throw-away models without touching edge/keys.
const trusted = [
  ...bundledPublicKeysPem(),
  ...(extraKeyPath === undefined ? [] : [readFileSync(extraKeyPath, 'utf8')]),
];
const scorer = await StockoutScorer.load(modelDir, trusted);
const scores = new Float32Array(rows.length);
for (let start = 0; start < rows.length; start += batchRows) {
  scores.set(await scorer.scoreBatch(rows.slice(start, start + batchRows)), start);
}
await scorer.close();
writeFileSync(outPath, Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength));
process.stdout.write(`${JSON.stringify({ model: `${scorer.name}@${scorer.version}`, rows: rows.length })}\n`);
