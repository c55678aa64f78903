import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureSpecHash, stockoutFeatureNames } from '@tillgate/shared';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { RiskScorer } from '../../edge/src/alerts/alert-engine.ts';
import { keyIdOf } from '../../edge/src/updater/trusted-keys.ts';

// A real, tiny ONNX model written byte by byte (ONNX protobuf), so alert tests control risk exactly
// while still running onnxruntime: probability = sigmoid(slope * on_hand + intercept).

const varint = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
};
/** int64 varint of a possibly negative number (two's complement, 10 bytes). */
const varint64 = (value: number): number[] => {
  if (value >= 0) return varint(value);
  let big = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (big > 0x7fn) {
    bytes.push(Number(big & 0x7fn) | 0x80);
    big >>= 7n;
  }
  bytes.push(Number(big));
  return bytes;
};
const field = (number: number, wire: number): number[] => varint((number << 3) | wire);
const int = (number: number, value: number): number[] => [...field(number, 0), ...varint64(value)];
const bytes = (number: number, payload: number[]): number[] => [
  ...field(number, 2),
  ...varint(payload.length),
  ...payload,
];
const text = (number: number, value: string): number[] => bytes(number, [...Buffer.from(value)]);

const floatTensor = (name: string, dims: number[], values: number[]) => {
  const data = Buffer.alloc(values.length * 4);
  for (const [index, value] of values.entries()) data.writeFloatLE(value, index * 4);
  return [...dims.flatMap((dim) => int(1, dim)), ...int(2, 1), ...bytes(4, [...data]), ...text(8, name)];
};
const int64Tensor = (name: string, dims: number[], values: number[]) => [
  ...dims.flatMap((dim) => int(1, dim)),
  ...int(2, 7),
  ...bytes(7, values.flatMap(varint64)),
  ...text(8, name),
];
const node = (op: string, inputs: string[], output: string) => [
  ...inputs.flatMap((input) => text(1, input)),
  ...text(2, output),
  ...text(4, op),
];
const valueInfo = (name: string, dims: (number | string)[]) => [
  ...text(1, name),
  ...bytes(
    2,
    bytes(1, [
      ...int(1, 1),
      ...bytes(
        2,
        dims.flatMap((dim) => bytes(1, typeof dim === 'number' ? int(1, dim) : text(2, dim))),
      ),
    ]),
  ),
];

/** probability = sigmoid(slope * <feature> + intercept); the feature is on_hand unless named. */
export function tinyStockoutModel(slope: number, intercept: number, feature = 'on_hand', padBytes = 0): Uint8Array {
  const width = stockoutFeatureNames.length;
  const input = stockoutFeatureNames.indexOf(feature);
  if (input < 0) throw new Error(`tinyStockoutModel: no feature ${feature}`);
  const weights = Array.from({ length: width }, (_, index) => (index === input ? slope : 0));
  const graph = [
    ...bytes(1, node('MatMul', ['features', 'w'], 'xw')),
    ...bytes(1, node('Add', ['xw', 'b'], 'logit')),
    ...bytes(1, node('Sigmoid', ['logit'], 'p2d')),
    ...bytes(1, node('Reshape', ['p2d', 'flat'], 'probability')),
    ...text(2, 'tiny-stockout'),
    ...bytes(5, floatTensor('w', [width, 1], weights)),
    ...bytes(5, floatTensor('b', [1], [intercept])),
    ...bytes(5, int64Tensor('flat', [1], [-1])),
    ...bytes(11, valueInfo('features', ['N', width])),
    ...bytes(12, valueInfo('probability', ['N'])),
  ];
  const model = [...int(1, 8), ...bytes(8, [...text(1, ''), ...int(2, 13)]), ...bytes(7, graph)];
  if (padBytes === 0) return Uint8Array.from(model);
  // ModelProto.doc_string (field 6): bulk that onnxruntime ignores, for download tests.
  const pad = Buffer.alloc(padBytes, 0x61);
  return Buffer.concat([Buffer.from(model), Buffer.from([...field(6, 2), ...varint(pad.length)]), pad]);
}

/** A RiskScorer on the tiny model, counting onnxruntime runs (to see batching). */
export async function tinyScorer(
  slope: number,
  intercept: number,
  feature = 'on_hand',
): Promise<RiskScorer & { runs: number[]; close(): Promise<void> }> {
  const session = await InferenceSession.create(tinyStockoutModel(slope, intercept, feature));
  const width = stockoutFeatureNames.length;
  const runs: number[] = [];
  return {
    name: 'tiny-stockout',
    version: 'test',
    runs,
    async scoreBatch(rows) {
      runs.push(rows.length);
      const batch = new Float32Array(rows.length * width);
      for (const [index, row] of rows.entries()) batch.set(row, index * width);
      const out = await session.run({ features: new Tensor('float32', batch, [rows.length, width]) });
      return out.probability?.data as Float32Array;
    },
    close: () => session.release(),
  };
}

export interface TinyRelease {
  version: string;
  model: Uint8Array;
  /** manifest.json exactly as signed. */
  manifestJson: string;
  /** base64 ed25519 signature over manifestJson. */
  signature: string;
}

/** A signed release of the tiny model (risk = sigmoid(slope * on_hand + intercept)), as the pipeline makes one. */
export function tinyRelease(
  version: string,
  privateKey: KeyObject,
  options: { slope?: number; intercept?: number; featureSpecHash?: string; task?: string; padBytes?: number } = {},
): TinyRelease {
  const model = tinyStockoutModel(options.slope ?? -1, options.intercept ?? 2, 'on_hand', options.padBytes ?? 0);
  const now = new Date().toISOString();
  const manifestJson = `${JSON.stringify(
    {
      name: 'tiny-stockout',
      version,
      task: options.task ?? 'stockout-risk',
      feature_spec_hash: options.featureSpecHash ?? featureSpecHash,
      features: [...stockoutFeatureNames],
      sha256: createHash('sha256').update(model).digest('hex'),
      created_at: now,
      training_data: { from: now, to: now, rows: 0 },
      metrics: {},
    },
    null,
    2,
  )}\n`;
  return {
    version,
    model,
    manifestJson,
    signature: sign(null, Buffer.from(manifestJson), privateKey).toString('base64'),
  };
}

/** A fresh signing key, its public PEM written under `dir`, and the pin an agent config needs for it. */
export function testSigningKey(
  dir: string,
  name = 'tiny-model',
): { privateKey: KeyObject; pin: { id: string; file: string } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const file = join(dir, `${name}.pub.pem`);
  writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { privateKey, pin: { id: keyIdOf(publicKey), file } };
}

/**
 * Writes the tiny model as a signed release directory (model.onnx + manifest.json + manifest.sig)
 * under `dir`, signed by a fresh ed25519 key whose public PEM is written next to it. An agent given
 * `model: { dir, trustedKeys: [pin] }` loads it through the production path (StockoutScorer.load:
 * signature, sha256 and feature-spec checks). Risk = sigmoid(2 - on_hand).
 */
export function writeSignedTinyModel(dir: string): {
  dir: string;
  pin: { id: string; file: string };
  privateKey: KeyObject;
} {
  const modelDir = join(dir, 'tiny-model');
  mkdirSync(modelDir, { recursive: true });
  const { privateKey, pin } = testSigningKey(dir);
  const release = tinyRelease('0.0.1-test', privateKey);
  writeFileSync(join(modelDir, 'model.onnx'), release.model);
  writeFileSync(join(modelDir, 'manifest.json'), release.manifestJson);
  writeFileSync(join(modelDir, 'manifest.sig'), `${release.signature}\n`);
  return { dir: modelDir, pin, privateKey };
}
