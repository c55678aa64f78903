import { type AssignedSwapWindow, kafkaTopics, type ModelAssignment, modelAssignment } from '@tillgate/shared';
import type { KafkaProducer } from '@tillgate/shared/kafka';
import { type ModelRegistry, releaseKey } from '@tillgate/shared/registry';
import type { Client } from 'minio';
import type { Rollout } from './rollout-spec.ts';

export interface AssignmentPublisherOptions {
  registry: ModelRegistry;
  /** The registry bucket's S3 client, for presigned URLs (the edge downloads from S3, not the hub). */
  s3: Client;
  bucket: string;
  producer: KafkaProducer;
  topicPrefix: string;
  /** s a presigned model URL stays valid (SigV4 allows up to 7 days). */
  urlSeconds: number;
}

/**
 * Sends a store its model order on model-rollouts (keyed by store, compacted). The exact signed
 * manifest bytes travel with it, and a presigned S3 URL for the model, so the edge needs no hub
 * credentials and the hub never carries model bytes.
 */
export class AssignmentPublisher {
  readonly #options: AssignmentPublisherOptions;

  constructor(options: AssignmentPublisherOptions) {
    this.#options = options;
  }

  async send(
    rollout: Rollout,
    storeIds: readonly string[],
    action: ModelAssignment['action'] = 'install',
    /** Per store: the swap window its order carries (none = the agent's own). */
    windows: ReadonlyMap<string, AssignedSwapWindow | null> = new Map(),
  ): Promise<void> {
    if (storeIds.length === 0) return;
    const { registry, s3, bucket, producer, topicPrefix, urlSeconds } = this.#options;
    const release = await registry.readRelease(rollout.model, rollout.version);
    const url = await s3.presignedGetObject(bucket, releaseKey(rollout.model, rollout.version, 'model'), urlSeconds);
    const issuedAt = new Date().toISOString();
    await producer.send(
      storeIds.map((storeId) => {
        const assignment = modelAssignment.parse({
          schema: 1,
          store_id: storeId,
          rollout_id: rollout.rollout_id,
          action,
          name: rollout.model,
          version: rollout.version,
          key_id: rollout.key_id,
          manifest_json: release.manifestBytes.toString('utf8'),
          signature: release.signature,
          model_url: url,
          model_size: release.modelSize,
          rollback: rollout.rollback,
          swap: rollout.swap,
          shadow_ms: rollout.shadow_ms,
          ...(windows.get(storeId) ? { swap_window: windows.get(storeId) } : {}),
          issued_at: issuedAt,
        });
        return { topic: topicPrefix + kafkaTopics.modelRollouts, key: storeId, value: JSON.stringify(assignment) };
      }),
    );
  }
}
