import { z } from 'zod';
import { modelChannels } from '../registry/registry-layout.ts';
import { modelManifest } from './model-release.ts';
import { timestamp } from './primitives.ts';

/**
 * models/<name>/channels/<channel>.json: which version a channel points at. A pointer, not a copy:
 * the edge still verifies that version's manifest.sig against its own pinned keys, so a forged
 * pointer can only name another correctly signed release.
 */
export const modelChannel = z.strictObject({
  schema: z.literal(1),
  name: modelManifest.shape.name,
  channel: z.enum(modelChannels),
  version: modelManifest.shape.version,
  key_id: z.string().min(1).max(64),
  updated_at: timestamp,
});
export type ModelChannelPointer = z.infer<typeof modelChannel>;
