export { featureSpecHash, stockoutFeatureNames } from './feature-spec.ts';
export { applyEventToFeatureState, emptyFeatureState, type SkuFeatureState } from './feature-state.ts';
export { stockoutFeatures } from './stockout-features.ts';
