import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The hub appliance compose file, validated by compose-go (the library `docker compose config` is
// built on; deploy/compose/compose-config.sh). No Docker engine runs here, so the images are not
// pulled or started: what is checked is the file's validity, pinning and internal wiring.
const root = fileURLToPath(new URL('../..', import.meta.url));
const composeFile = join(root, 'deploy/compose/compose.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'tg-compose-'));

interface ComposeProject {
  services: Record<string, { image?: string; environment?: Record<string, string | null>; build?: unknown }>;
}

function composeConfig(file: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('bash', [join(root, 'deploy/compose/compose-config.sh'), file], {
    encoding: 'utf8',
    timeout: 180_000,
  });
}

let project: ComposeProject;

beforeAll(() => {
  const result = composeConfig(composeFile);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  project = JSON.parse(result.stdout) as ComposeProject;
}, 200_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('deploy/compose/compose.yaml (the hub appliance)', () => {
  it('runs every part of the hub', () => {
    expect(Object.keys(project.services).sort()).toEqual(
      expect.arrayContaining([
        'kafka-1',
        'kafka-2',
        'kafka-3',
        'clickhouse',
        'minio',
        'postgres',
        'airflow-api-server',
        'airflow-scheduler',
        'airflow-dag-processor',
        'spark-master',
        'spark-worker',
        'hub-migrate',
        'hub',
      ]),
    );
  });

  it('pins every image to an exact version (no latest, no bare name)', () => {
    const images = Object.entries(project.services).map(([name, service]) => [name, service.image ?? ''] as const);
    for (const [name, image] of images) {
      expect(image, name).toMatch(/^[\w./-]+:(?!latest)[\w.-]*\d[\w.-]*$/);
    }
    // Images built here start from pinned bases too.
    for (const dockerfile of ['deploy/compose/hub/Dockerfile', 'deploy/compose/airflow/Dockerfile']) {
      const from = /^FROM (\S+)/m.exec(readFileSync(join(root, dockerfile), 'utf8'))?.[1] ?? '';
      expect(from, dockerfile).toMatch(/^[\w./-]+:(?!latest)[\w.-]*\d[\w.-]*$/);
    }
  });

  it('names only services that exist in the hub and Airflow settings', () => {
    const services = new Set(Object.keys(project.services));
    const referenced = new Set<string>();
    for (const [name, service] of Object.entries(project.services)) {
      if (!name.startsWith('hub') && !name.startsWith('airflow')) continue;
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!key.startsWith('TILLGATE_') || value === null) continue;
        for (const match of value.matchAll(/(?:^|[/"@,])([a-z][a-z0-9-]*):\d{2,5}\b/g)) referenced.add(match[1] ?? '');
        if (key.endsWith('__END_POINT')) referenced.add(value);
      }
    }
    expect([...referenced].sort()).toEqual(
      expect.arrayContaining(['clickhouse', 'kafka-1', 'kafka-2', 'kafka-3', 'minio', 'spark-master']),
    );
    for (const host of referenced)
      expect(services.has(host), `${host} is named in a setting but is not a service`).toBe(true);
  });

  it('is really validated: a misspelt key is refused', () => {
    const broken = join(scratch, 'compose.yaml');
    writeFileSync(
      broken,
      readFileSync(composeFile, 'utf8').replace('    restart: unless-stopped\n', '    restartt: unless-stopped\n'),
    );
    const result = composeConfig(broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/restartt/);
  });
});
