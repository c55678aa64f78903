export { bundledKeysDir, bundledPublicKeysPem, defaultModelDir } from './default-model.ts';
export { ModelError, type ModelErrorCode, modelErrorCodes } from './errors.ts';
export { modelFiles, type VerifiedModel, verifyModelDir } from './model-verification.ts';
export { StockoutScorer, scorerIo } from './stockout-scorer.ts';
