import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreEvent } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { type RunningAgent, startAgent } from '../edge/src/agent.ts';
import { WanProxy } from '../simulators/src/wan-proxy.ts';
import { edgeTestBed } from '../test/edge/harness.ts';
import { saleEvent } from '../test/edge/pos-events.ts';
import { runTerminal } from '../test/edge/pos-simulator.ts';
import { median, round, writeResult } from './lib/result-file.ts';

// Backlog drain after an outage: the store's link to Kafka is cut (a TCP proxy on loopback), 30,000
// sale events are buffered, the link returns, and we time until the outbox is empty (every batch
// acknowledged by Kafka with acks=all and marked sent). Baseline, interleaved run by run: Kafka's own
// producer benchmark (kafka-producer-perf-test via deploy/local/kafka.sh) on the same broker, acks=all,
// idempotence and gzip as the agent's producer, sending the run's own event JSON (--payload-file: the
// events as the outbox holds them, so gzip meets the same text; fixed-size random records compress
// differently) and measured after a warm-up in the same JVM (--warmup-records: its steady state, JIT
// compiled, not a cold start).
const warmup = 10_000; // records the perf tool sends before its steady state
const events = 30_000;
const runs = 5;
const kafkaScript = fileURLToPath(new URL('../deploy/local/kafka.sh', import.meta.url));

const bed = await edgeTestBed('bench-drain');
const [host, port] = (localStack.kafka.brokers[0] as string).split(':');
const proxy = await WanProxy.start({
  name: bed.storeId,
  listenPort: 0,
  upstreamHost: host ?? '',
  upstreamPort: Number(port),
});
const base = bed.config({ logLevel: 'error' });
const agent: RunningAgent = await startAgent({
  ...base,
  kafka: { ...base.kafka, tunnels: { [localStack.kafka.brokers[0] as string]: `127.0.0.1:${proxy.port}` } },
});
let seqBase = 0;
let recordBytes = 0;
const payloadFile = join(bed.dataDir, 'perf-payloads.jsonl');

async function ours(): Promise<number> {
  proxy.cut('reset');
  const first = seqBase;
  seqBase += events;
  const batch = Array.from({ length: events }, (_, i) => saleEvent(bed.storeId, 't1', first + i + 1));
  await runTerminal({
    port: () => agent.mqttPort ?? 0,
    storeId: bed.storeId,
    terminalId: 't1',
    events: batch,
    window: 500,
    onAck: () => undefined,
  });
  const backlog = agent.status().backlog.events;
  if (backlog < events) throw new Error(`only ${backlog} events buffered; the cut did not hold`);
  const payloads = batch.map((event) =>
    JSON.stringify({ ...event, received_at: new Date().toISOString() } as StoreEvent),
  );
  writeFileSync(payloadFile, `${payloads.join('\n')}\n`);
  recordBytes = Math.round(payloads.reduce((sum, payload) => sum + payload.length, 0) / payloads.length);
  const started = performance.now();
  proxy.restore();
  while (agent.status().backlog.events > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  return backlog / ((performance.now() - started) / 1_000);
}

function kafkaPerfTest(run: number): number {
  const result = spawnSync(
    'bash',
    [
      kafkaScript,
      'perf-test',
      '--topic',
      `${bed.topicPrefix}perf-${run}`,
      '--num-records',
      String(warmup + events),
      '--warmup-records',
      String(warmup),
      '--payload-file',
      payloadFile,
      '--throughput',
      '-1',
      '--producer-props',
      'acks=all',
      'enable.idempotence=true',
      'compression.type=gzip',
    ],
    { encoding: 'utf8' },
  );
  const match = /(\d+) steady state records sent, ([\d.]+) records\/sec/.exec(result.stdout);
  if (match === null)
    throw new Error(`kafka perf-test printed no steady-state summary: ${result.stdout}\n${result.stderr}`);
  return Number(match[2]);
}

try {
  await ours();
  const drains: number[] = [];
  const perf: number[] = [];
  for (let run = 0; run < runs; run++) {
    drains.push(await ours());
    perf.push(kafkaPerfTest(run));
  }
  const value = median(drains);
  const baseline = median(perf);
  const file = writeResult({
    name: 'edge-drain',
    what: `backlog drain to Kafka after an outage, events/s (${events} buffered ~${recordBytes}-byte events, idempotent producer, acks=all, gzip, batches of ${base.kafka.batchSize}, marked sent in SQLite after each ack)`,
    unit: 'events/s',
    value: Math.round(value),
    baseline: {
      what: `Kafka's own kafka-producer-perf-test on the same broker, steady state after ${warmup} warm-up records in the same JVM: ${events} records from a --payload-file of the run's own event JSON (~${recordBytes} bytes), acks=all, idempotence, gzip`,
      value: Math.round(baseline),
    },
    ratio: round(value / baseline),
    runs,
    spread: { min: Math.round(Math.min(...drains)), max: Math.round(Math.max(...drains)) },
    command: 'npm run bench -- edge-drain',
  });
  process.stdout.write(
    `edge-drain: ${Math.round(value)} events/s vs kafka perf-test ${Math.round(baseline)} -> ${file}\n`,
  );
} finally {
  await agent.stop();
  await proxy.close();
  const admin = bed.kafka.admin();
  await admin.connect();
  await admin
    .deleteTopics({ topics: Array.from({ length: runs }, (_, run) => `${bed.topicPrefix}perf-${run}`) })
    .catch(() => undefined);
  await admin.disconnect();
  await bed.cleanup();
}
