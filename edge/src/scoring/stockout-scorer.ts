import { stockoutFeatureNames } from '@tillgate/shared';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelError, modelErrorCodes } from './errors.ts';
import { verifyModelDir } from './model-verification.ts';

/** The ONNX I/O contract every stock-out model honours (models/tillgate_models/onnx_export.py). */
export const scorerIo = { input: 'features', output: 'probability' } as const;

/** P(stock-out within the model's horizon) for feature rows built by stockoutFeatures. */
export class StockoutScorer {
  readonly name: string;
  readonly version: string;
  /** The release's operating threshold (manifest metrics.alert_threshold), or null if it has none. */
  readonly alertThreshold: number | null;
  /** Its raise level for hidden_empty alerts (metrics.alert_threshold_hidden_empty), or null. */
  readonly hiddenEmptyThreshold: number | null;
  readonly #session: InferenceSession;
  #closed = false;

  private constructor(session: InferenceSession, name: string, version: string, metrics: Record<string, number>) {
    this.#session = session;
    this.name = name;
    this.version = version;
    this.alertThreshold = metrics.alert_threshold ?? null;
    this.hiddenEmptyThreshold = metrics.alert_threshold_hidden_empty ?? null;
  }

  /** Verifies signature, sha256 and feature spec (TG_EDGE_MODEL_* on failure), then loads the model. */
  static async load(modelDir: string, trustedPublicKeysPem: string[]): Promise<StockoutScorer> {
    const { manifest, modelBytes } = await verifyModelDir(modelDir, trustedPublicKeysPem);
    let session: InferenceSession;
    try {
      // One intra-op thread: the edge box has two cores and intake must keep one.
      session = await InferenceSession.create(modelBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (cause) {
      throw new ModelError(
        modelErrorCodes.loadFailed,
        `onnxruntime could not load ${manifest.name}@${manifest.version} from ${modelDir}`,
        { cause },
      );
    }
    if (!session.inputNames.includes(scorerIo.input) || !session.outputNames.includes(scorerIo.output)) {
      await session.release();
      throw new ModelError(
        modelErrorCodes.loadFailed,
        `${manifest.name}@${manifest.version} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; the scorer needs input '${scorerIo.input}' and output '${scorerIo.output}'`,
      );
    }
    return new StockoutScorer(session, manifest.name, manifest.version, manifest.metrics);
  }

  /** One onnxruntime run for the whole batch; returns one probability per row, in row order. */
  async scoreBatch(rows: Float32Array[]): Promise<Float32Array> {
    if (this.#closed) throw new ModelError(modelErrorCodes.closed, `scorer ${this.name}@${this.version} is closed`);
    if (rows.length === 0) return new Float32Array(0);
    const width = stockoutFeatureNames.length;
    const batch = new Float32Array(rows.length * width);
    for (const [index, row] of rows.entries()) {
      if (row.length !== width) {
        throw new ModelError(
          modelErrorCodes.badRow,
          `row ${index} has ${row.length} features, the model takes ${width}`,
        );
      }
      batch.set(row, index * width);
    }
    const feeds = { [scorerIo.input]: new Tensor('float32', batch, [rows.length, width]) };
    const results = await this.#session.run(feeds, [scorerIo.output]);
    const output = results[scorerIo.output];
    if (output === undefined || output.data.length !== rows.length) {
      throw new ModelError(
        modelErrorCodes.loadFailed,
        `${this.name}@${this.version} returned ${output?.data.length ?? 0} values for ${rows.length} rows`,
      );
    }
    return Float32Array.from(output.data as Float32Array);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#session.release();
  }
}
