export { featureSpecHash, stockoutFeatureNames } from './feature-spec.ts';
export {
  applyEventToFeatureState,
  applyEventToStoreState,
  emptyFeatureState,
  emptyStoreFeatureState,
  type SkuFeatureState,
  type StoreFeatureState,
} from './feature-state.ts';
export { stockoutFeatures } from './stockout-features.ts';
