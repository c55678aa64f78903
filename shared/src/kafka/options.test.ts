import { describe, expect, it } from 'vitest';
import { KafkaConfigError, kafkaErrorCodes } from './errors.ts';
import { parseKafkaConnection } from './options.ts';

const valid = { brokers: ['127.0.0.1:19092'], clientId: 'store-0042' };

function rejection(input: unknown): KafkaConfigError {
  try {
    parseKafkaConnection(input);
  } catch (error) {
    if (error instanceof KafkaConfigError) return error;
    throw error;
  }
  throw new Error('expected the settings to be rejected');
}

describe('Kafka connection settings', () => {
  it('fills documented defaults', () => {
    expect(parseKafkaConnection(valid)).toEqual({
      ...valid,
      ssl: false,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      retries: 5,
      initialRetryMs: 300,
      logLevel: 'warn',
    });
  });

  it('accepts TLS with SASL for production brokers', () => {
    const settings = {
      ...valid,
      brokers: ['kafka-1.hub.internal:9093', '[fd00::5]:9093'],
      ssl: { caFile: '/etc/tillgate/hub-ca.pem' },
      sasl: { mechanism: 'scram-sha-512', username: 'store-0042', password: 's3cret' },
    };
    expect(parseKafkaConnection(settings)).toMatchObject(settings);
  });

  it.each([
    [{ ...valid, brokers: [] }, 'brokers'],
    [{ ...valid, brokers: ['127.0.0.1'] }, 'brokers.0'],
    [{ ...valid, brokers: ['127.0.0.1:19092', 'kafka://hub:9092'] }, 'brokers.1'],
    [{ ...valid, clientId: 'store 42' }, 'clientId'],
    [{ ...valid, retries: 0 }, 'retries'],
    [{ ...valid, logLevel: 'trace' }, 'logLevel'],
    [{ ...valid, ssl: { ca: 'pem' } }, 'ssl.ca'],
    [{ ...valid, ssl: true, sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, 'sasl.mechanism'],
    [{ ...valid, ssl: true, sasl: { mechanism: 'plain', username: 'u', password: '' } }, 'sasl.password'],
    [{ ...valid, bootstrap: 'x' }, 'bootstrap'],
  ])('names the bad key: %j -> %s', (input, key) => {
    const error = rejection(input);
    expect(error.code).toBe(kafkaErrorCodes.invalidConfig);
    expect(error.key).toBe(key);
    expect(error.message).toContain(`"${key}"`);
    expect(error.canRetry).toBe(false);
  });

  it('refuses SASL without TLS, which would send the password in clear text', () => {
    const error = rejection({ ...valid, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
    expect(error.key).toBe('sasl');
    expect(error.message).toMatch(/clear text/);
  });
});
