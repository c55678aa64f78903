import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('redacts secrets at the depths our configs nest them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ name: 'test' }, sink).child({ component: 'forwarder' });
    logger.info(
      {
        password: 'p1',
        s3: { secretKey: 's3cret' },
        kafka: { sasl: { password: 'p2', username: 'u' } },
        api: { warehouseToken: 'w4rehouse-token' },
      },
      'connecting',
    );
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      component: 'forwarder',
      password: '[redacted]',
      s3: { secretKey: '[redacted]' },
      kafka: { sasl: { password: '[redacted]', username: 'u' } },
      api: { warehouseToken: '[redacted]' },
    });
    expect(lines.join('')).not.toMatch(/p1|s3cret|p2|w4rehouse/);
  });
});
