import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// The spec file is the single source of the feature definition: names, order and caps are read from
// it, and its hash travels in every model manifest so the edge refuses a model trained on another one.
const specBytes = readFileSync(new URL('../../features/stockout-features.v2.json', import.meta.url));

interface FeatureSpecEntry {
  name: string;
  definition: string;
  cap?: number;
}

interface FeatureSpec {
  name: string;
  version: number;
  features: FeatureSpecEntry[];
  retention_days: number;
}

const spec = JSON.parse(specBytes.toString('utf8')) as FeatureSpec;

/** sha256 (hex) of shared/features/stockout-features.v2.json, exactly as the Python side computes it. */
export const featureSpecHash: string = createHash('sha256').update(specBytes).digest('hex');

/** Feature names in ONNX input column order. */
export const stockoutFeatureNames: readonly string[] = Object.freeze(spec.features.map((feature) => feature.name));

/** Days of dailyUnits the state keeps (the longest window, units_28d). */
export const retentionDays: number = spec.retention_days;

export function featureCap(name: string): number {
  const cap = spec.features.find((feature) => feature.name === name)?.cap;
  if (cap === undefined) throw new Error(`stockout-features spec: feature ${name} has no cap`);
  return cap;
}
