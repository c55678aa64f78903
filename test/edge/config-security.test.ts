import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEdgeConfig } from '../../edge/src/config.ts';
import { terminalPasswordHash } from './harness.ts';

// The config doors of issue 12: plain-text MQTT passwords and a world-readable file with the hub's
// Kafka login are refused at start-up, each with the command that fixes it.
const dir = mkdtempSync(join(tmpdir(), 'tillgate-config-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  storeId: 'store-001',
  mqtt: { mode: 'embedded', terminals: [{ id: 'pos-01', passwordHash: terminalPasswordHash }] },
  kafka: { brokers: ['hub.example:9093'] },
};

function writeConfig(name: string, config: unknown, mode = 0o640): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  chmodSync(file, mode);
  return file;
}

describe('config security', () => {
  it('refuses a plain-text terminal password and says how to hash it', () => {
    const file = writeConfig('plain.json', {
      ...base,
      mqtt: { mode: 'embedded', terminals: [{ id: 'pos-01', password: 'pos-01-secret' }] },
    });
    expect(() => loadEdgeConfig(file)).toThrow(
      /"mqtt\.terminals\.0\.password": plain-text passwords are refused; run `tillgate-edge hash-password`.*"passwordHash"/,
    );
  });

  it('refuses a display account without a hash', () => {
    const file = writeConfig('display.json', {
      ...base,
      mqtt: { ...base.mqtt, displays: [{ id: 'display-01', passwordHash: 'secret123' }] },
    });
    expect(() => loadEdgeConfig(file)).toThrow(/mqtt\.displays\.0\.passwordHash.*hash-password/);
  });

  it('refuses a world-readable config that holds the Kafka password, and takes it at 0640', () => {
    const config = {
      ...base,
      kafka: {
        ...base.kafka,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'store-001', password: 'hub-secret' },
      },
    };
    const open = writeConfig('open.json', config, 0o644);
    expect(() => loadEdgeConfig(open)).toThrow(
      /TG_EDGE_CONFIG_EXPOSED|holds secrets \(kafka\.sasl\.password\) and every user can read it \(mode 0644\); run: chown root:tillgate .* && chmod 0640/,
    );
    chmodSync(open, 0o640);
    expect(loadEdgeConfig(open).kafka.sasl?.username).toBe('store-001');
  });

  it('takes a world-readable config without secrets (hashes are not logins)', () => {
    expect(loadEdgeConfig(writeConfig('hashes.json', base, 0o644)).storeId).toBe('store-001');
  });

  it('applies the shared Kafka rules: SASL without TLS is refused', () => {
    const file = writeConfig('sasl-plain.json', {
      ...base,
      kafka: { ...base.kafka, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } },
    });
    expect(() => loadEdgeConfig(file)).toThrow(/"kafka\.sasl": SASL without TLS would send the password in clear text/);
  });
});
