// The model registry's object layout in S3 (MISSION.md "Hub"), defined once. The Python publisher
// (models/tillgate_models/registry.py) builds the same keys; both are checked against
// shared/examples/registry/layout.json, so the writer and the readers cannot drift apart.

/** The files of one released version, under models/<name>/<version>/. */
export const releaseFiles = { model: 'model.onnx', manifest: 'manifest.json', signature: 'manifest.sig' } as const;
export type ReleaseFile = keyof typeof releaseFiles;

/** Channel pointers a release can be promoted to: canary first, stable once a rollout has proved it. */
export const modelChannels = ['stable', 'canary'] as const;
export type ModelChannel = (typeof modelChannels)[number];

/** Where every model lives in the registry bucket. */
export const modelsRoot = 'models/';

/** models/<name>/ — every object of one model. */
export const modelPrefix = (name: string): string => `${modelsRoot}${name}/`;

/** models/<name>/<version>/<file> */
export const releaseKey = (name: string, version: string, file: ReleaseFile): string =>
  `${modelPrefix(name)}${version}/${releaseFiles[file]}`;

/** models/<name>/channels/<channel>.json */
export const channelKey = (name: string, channel: ModelChannel): string =>
  `${modelPrefix(name)}channels/${channel}.json`;

/**
 * The version a key completes, else null. Only manifest.sig counts: the publisher writes it last, so
 * a version whose upload was cut half-way is never listed.
 */
export function versionOfKey(name: string, key: string): string | null {
  const prefix = modelPrefix(name);
  if (!key.startsWith(prefix)) return null;
  const [version, file, ...rest] = key.slice(prefix.length).split('/');
  if (version === undefined || version === 'channels' || file !== releaseFiles.signature || rest.length > 0) {
    return null;
  }
  return version;
}
