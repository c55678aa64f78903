import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modelChannel } from '../contracts/model-channel.ts';
import { kafkaTopics } from '../topics.ts';
import { channelKey, releaseKey, versionOfKey } from './registry-layout.ts';

// The same fixture models/tests/test_registry.py checks the Python publisher against.
const layout = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../examples/registry/layout.json', import.meta.url)), 'utf8'),
) as { name: string; version: string; topic: string; keys: Record<string, string>; channel: unknown };

describe('registry layout (shared/examples/registry/layout.json)', () => {
  it('builds the keys the Python publisher writes', () => {
    const { name, version, keys } = layout;
    expect({
      model: releaseKey(name, version, 'model'),
      manifest: releaseKey(name, version, 'manifest'),
      signature: releaseKey(name, version, 'signature'),
      channel_stable: channelKey(name, 'stable'),
      channel_canary: channelKey(name, 'canary'),
    }).toEqual(keys);
    expect(kafkaTopics.modelReleases).toBe(layout.topic);
    expect(modelChannel.parse(layout.channel)).toEqual(layout.channel);
  });

  it('lists a version only by its signature, the object written last', () => {
    const { name, version, keys } = layout;
    expect(versionOfKey(name, keys.signature as string)).toBe(version);
    expect(versionOfKey(name, keys.model as string)).toBeNull();
    expect(versionOfKey(name, keys.channel_stable as string)).toBeNull();
    expect(versionOfKey('other-model', keys.signature as string)).toBeNull();
  });
});
