import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKafkaClient, type KafkaLogLevel } from './client.ts';
import { KafkaConfigError, KafkaError, kafkaErrorCodes } from './errors.ts';
import { KafkaProducer } from './producer.ts';

// A loopback port that was just free: nothing listens there, so connecting fails at once.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;

describe('createKafkaClient', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rejects invalid settings before making a client', () => {
    expect(() => createKafkaClient({ brokers: ['hub'], clientId: 'store-1' })).toThrow(KafkaConfigError);
  });

  it('names ssl.caFile when the CA file cannot be read', () => {
    const settings = { brokers: ['hub:9093'], clientId: 'store-1', ssl: { caFile: '/nonexistent/ca.pem' } };
    expect(() => createKafkaClient(settings)).toThrow(/"ssl.caFile".*\/nonexistent\/ca.pem/);
  });

  it('reports an unreachable broker as retriable and routes library logs to the sink, not the console', async () => {
    const spies = consoleMethods.map((method) => vi.spyOn(console, method).mockImplementation(() => {}));
    const lines: { level: KafkaLogLevel; message: string }[] = [];
    const client = createKafkaClient(
      { brokers: [`127.0.0.1:${await closedPort()}`], clientId: 'store-1', retries: 1, initialRetryMs: 10 },
      { log: (level, message) => lines.push({ level, message }) },
    );
    const producer = new KafkaProducer(client);

    const failure = await producer.connect().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(KafkaError);
    expect(failure).toMatchObject({ code: kafkaErrorCodes.connectFailed, canRetry: true });
    expect((failure as Error).message).toMatch(/cannot connect the Kafka producer: .*ECONNREFUSED/);
    expect(lines.some(({ level, message }) => level === 'error' && /Connection/.test(message))).toBe(true);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('is silent without a sink', async () => {
    const spies = consoleMethods.map((method) => vi.spyOn(console, method).mockImplementation(() => {}));
    const client = createKafkaClient({
      brokers: [`127.0.0.1:${await closedPort()}`],
      clientId: 'store-1',
      retries: 1,
      initialRetryMs: 10,
    });
    await expect(new KafkaProducer(client).connect()).rejects.toThrow(KafkaError);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
