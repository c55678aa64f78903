export { type ModelChannelPointer, modelChannel } from '../contracts/model-channel.ts';
export { ModelRegistry, RegistryError, type RegistryRelease, registryErrorCodes } from './model-registry.ts';
export {
  channelKey,
  type ModelChannel,
  modelChannels,
  modelPrefix,
  type ReleaseFile,
  releaseFiles,
  releaseKey,
  versionOfKey,
} from './registry-layout.ts';
