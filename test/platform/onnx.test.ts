import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stockoutFeatureNames } from '@tillgate/shared';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelDir, scorerIo } from '../../edge/src/scoring/index.ts';

// onnxruntime-node runs for real here: the native binding shipped in the npm package, the bundled
// default model exported from Spark MLlib, and held-out rows with MLlib's own probabilities written by
// the release (models/tillgate_models/pipeline.py). Parity here is the edge's half of the gate.
interface ParitySample {
  tolerance: number;
  rows: number[][];
  mllib: number[];
}

const sample = JSON.parse(readFileSync(join(defaultModelDir, 'parity-sample.json'), 'utf8')) as ParitySample;
let session: InferenceSession;

beforeAll(async () => {
  session = await InferenceSession.create(readFileSync(join(defaultModelDir, 'model.onnx')), { intraOpNumThreads: 1 });
});

afterAll(async () => {
  await session?.release();
});

describe('onnxruntime-node', () => {
  it('loads the default model with the scorer I/O contract', () => {
    expect(session.inputNames).toEqual([scorerIo.input]);
    expect(session.outputNames).toEqual([scorerIo.output]);
  });

  it('reproduces MLlib probabilities on held-out rows within the parity tolerance', async () => {
    const width = stockoutFeatureNames.length;
    expect(sample.rows.length).toBeGreaterThan(100);
    const batch = Float32Array.from(sample.rows.flat());
    const { [scorerIo.output]: output } = await session.run({
      [scorerIo.input]: new Tensor('float32', batch, [sample.rows.length, width]),
    });
    const probabilities = output?.data as Float32Array;
    expect(output?.dims).toEqual([sample.rows.length, 1]);
    const maxDiff = Math.max(...sample.mllib.map((p, i) => Math.abs(p - (probabilities[i] as number))));
    expect(maxDiff).toBeLessThanOrEqual(sample.tolerance);
  });

  it('gives one row the same probability alone as inside a batch', async () => {
    const width = stockoutFeatureNames.length;
    const row = Float32Array.from(sample.rows[0] as number[]);
    const { [scorerIo.output]: alone } = await session.run({
      [scorerIo.input]: new Tensor('float32', row, [1, width]),
    });
    expect(alone).toBeDefined();
    expect(Math.abs((alone?.data[0] as number) - (sample.mllib[0] as number))).toBeLessThanOrEqual(sample.tolerance);
  });
});
