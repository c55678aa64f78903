import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allKafkaTopics } from '@tillgate/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTopics, topicsFile } from '../../hub/scripts/generate-k8s-topics.ts';

// The cluster layout (deploy/k8s) checked by kubeconform against Kubernetes' own API schemas
// (deploy/k8s/validate.sh). The operators' custom resources have no schema source here; their
// wiring to the rest (cluster name, topics) is checked below instead.
const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tg-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function validate(...targets: string[]) {
  return spawnSync('bash', [join(root, 'deploy/k8s/validate.sh'), ...targets], { encoding: 'utf8', timeout: 400_000 });
}

describe('deploy/k8s (the cluster layout)', () => {
  it('passes kubeconform with strict Kubernetes schemas', () => {
    const result = validate();
    expect(result.stdout + result.stderr).toMatch(/Invalid: 0, Errors: 0/);
    expect(result.status).toBe(0);
    expect(Number(/Valid: (\d+)/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(10);
  }, 420_000);

  it('is really validated: a misplaced field in the hub Deployment is refused', () => {
    const broken = join(scratch, 'hub.yaml');
    const hub = readFileSync(join(root, 'deploy/k8s/hub/hub.yaml'), 'utf8');
    writeFileSync(broken, hub.replace('          args: [serve]\n', '          args: [serve]\n          replicas: 3\n'));
    const result = validate(broken);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/additional properties 'replicas' not allowed/);
  });

  it('declares every Kafka topic of shared/src/topics.ts (topics.yaml is generated and fresh)', () => {
    const topics = readFileSync(topicsFile, 'utf8');
    expect(topics).toBe(renderTopics());
    for (const topic of allKafkaTopics) expect(topics).toContain(`  name: ${topic}\n`);
  });

  it('names the ClickHouse cluster the generated cluster DDL uses', () => {
    const installation = readFileSync(join(root, 'deploy/k8s/clickhouse/clickhouse.yaml'), 'utf8');
    const schema = readFileSync(join(root, 'deploy/k8s/clickhouse/schema.sql'), 'utf8');
    const cluster = /clusters:\n\s+- name: (\w+)\n\s+layout:\n\s+shardsCount/.exec(installation)?.[1];
    expect(cluster).toBe('tillgate');
    expect(schema).toContain(`ON CLUSTER ${cluster}\n`);
  });
});
