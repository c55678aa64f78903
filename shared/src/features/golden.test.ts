import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StoreEvent, storeEvent } from '../contracts/pos-event.ts';
import {
  applyEventToFeatureState,
  applyEventToStoreState,
  emptyFeatureState,
  emptyStoreFeatureState,
  featureSpecHash,
  type SkuFeatureState,
  type StoreFeatureState,
  stockoutFeatureNames,
  stockoutFeatures,
} from './index.ts';

// Golden vectors shared with models/tests/test_golden_features.py: both languages must produce these
// exact float32 values, which is what rules out training-serving skew.
const goldenDir = new URL('../../features/golden/', import.meta.url);

interface GoldenCheck {
  at: string;
  features: Record<string, number>;
  state?: SkuFeatureState;
  store?: StoreFeatureState;
}
interface GoldenFile {
  name: string;
  sku: string;
  steps: Array<{ event: unknown } | { check: GoldenCheck }>;
}

const goldenFiles = readdirSync(goldenDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(new URL(file, goldenDir), 'utf8')) as GoldenFile);

describe('stockout feature golden vectors', () => {
  it('has golden files', () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(5);
  });

  for (const golden of goldenFiles) {
    it(golden.name, () => {
      let state = emptyFeatureState();
      let store = emptyStoreFeatureState();
      for (const [index, step] of golden.steps.entries()) {
        if ('event' in step) {
          const event: StoreEvent = storeEvent.parse(step.event);
          store = applyEventToStoreState(store, event);
          state = applyEventToFeatureState(state, event, golden.sku, store);
          continue;
        }
        const { at, features, state: expectedState, store: expectedStore } = step.check;
        if (expectedState !== undefined) expect(state, `state at step ${index}`).toEqual(expectedState);
        if (expectedStore !== undefined) expect(store, `store state at step ${index}`).toEqual(expectedStore);
        expect(Object.keys(features), `feature names at step ${index}`).toEqual([...stockoutFeatureNames]);
        const row = stockoutFeatures(state, store, new Date(at));
        const expected = stockoutFeatureNames.map((name) => Math.fround(features[name] as number));
        expect([...row], `features at ${at} (step ${index})`).toEqual(expected);
      }
    });
  }
});

describe('feature spec', () => {
  it('hashes the spec file bytes', () => {
    const bytes = readFileSync(new URL('../../features/stockout-features.v2.json', import.meta.url));
    expect(featureSpecHash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('does not modify the state it is given', () => {
    const state = emptyFeatureState();
    const example = JSON.parse(readFileSync(new URL('../../examples/sale.json', import.meta.url), 'utf8'));
    const sale = storeEvent.parse({ ...example, received_at: example.occurred_at });
    const next = applyEventToFeatureState(
      state,
      sale,
      'MILK-1L',
      applyEventToStoreState(emptyStoreFeatureState(), sale),
    );
    expect(state).toEqual(emptyFeatureState());
    expect(next.onHand).toBe(-2);
  });
});
