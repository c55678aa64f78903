import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { TillgateError } from '../errors.ts';
import { KafkaError, kafkaErrorCodes } from './errors.ts';

// The library's real error classes, built as it builds them, so a change in how it reports
// "retriable" shows up here and not as an edge outbox that gives up on a broker that was only down.
describe('KafkaError.wrap', () => {
  it('can retry when retries ran out on a connection error (broker down, WAN cut)', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:19092');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 4800 });
    const error = KafkaError.wrap(kafkaErrorCodes.sendFailed, 'Kafka did not acknowledge 3 records', exhausted);
    expect(error).toBeInstanceOf(TillgateError);
    expect(error.code).toBe('TG_SHARED_KAFKA_SEND_FAILED');
    expect(error.canRetry).toBe(true);
    expect(error.cause).toBe(exhausted);
    expect(error.message).toBe(
      'Kafka did not acknowledge 3 records: Connection error: connect ECONNREFUSED 127.0.0.1:19092',
    );
  });

  it('cannot retry a protocol error the broker marks final', () => {
    // Shaped as the library's protocol decoder hands broker error codes to this class.
    const brokerError = Object.assign(new Error('Replication-factor is invalid'), {
      type: 'INVALID_REPLICATION_FACTOR',
      code: 38,
      retriable: false,
    });
    const refused = new KafkaJSProtocolError(brokerError);
    expect(KafkaError.wrap(kafkaErrorCodes.topicSetupFailed, 'cannot create topics', refused).canRetry).toBe(false);
  });

  it('cannot retry an error that is not the client library’s', () => {
    const error = KafkaError.wrap(kafkaErrorCodes.sendFailed, 'send', new TypeError('value must be a Buffer'));
    expect(error.canRetry).toBe(false);
  });
});
