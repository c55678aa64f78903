import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaError, kafkaErrorCodes } from './errors.ts';
import { retryNowHelps, retryTransient } from './retry.ts';

// The library's own error classes, shaped as its protocol decoder builds them from broker codes.
const brokerError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));

describe('retryNowHelps', () => {
  it('retries what the broker calls transient, also inside our KafkaError', () => {
    const notLeader = brokerError('NOT_LEADER_OR_FOLLOWER', 6, true);
    expect(retryNowHelps(notLeader)).toBe(true);
    expect(retryNowHelps(KafkaError.wrap(kafkaErrorCodes.offsetsFailed, 'offsets', notLeader))).toBe(true);
  });

  it('does not retry what the broker calls final, nor errors that are not Kafka’s', () => {
    expect(retryNowHelps(brokerError('INVALID_REPLICATION_FACTOR', 38, false))).toBe(false);
    expect(retryNowHelps(new TypeError('not a buffer'))).toBe(false);
  });

  it('does not retry again what the library already retried until its budget ran out', () => {
    const down = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:19092');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(down, { retryCount: 5, retryTime: 4800 });
    expect(retryNowHelps(KafkaError.wrap(kafkaErrorCodes.connectFailed, 'connect', exhausted))).toBe(false);
  });
});

describe('retryTransient', () => {
  it('retries a transient failure until the operation succeeds', async () => {
    let calls = 0;
    const result = await retryTransient(async () => {
      calls += 1;
      if (calls < 3) throw brokerError('NOT_LEADER_OR_FOLLOWER', 6, true);
      return 'offsets';
    });
    expect({ result, calls }).toEqual({ result: 'offsets', calls: 3 });
  });

  it('passes a final error up at once', async () => {
    let calls = 0;
    const final = brokerError('TOPIC_AUTHORIZATION_FAILED', 29, false);
    await expect(
      retryTransient(async () => {
        calls += 1;
        throw final;
      }),
    ).rejects.toBe(final);
    expect(calls).toBe(1);
  });
});
