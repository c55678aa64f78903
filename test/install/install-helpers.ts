import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { allKafkaTopics } from '@tillgate/shared';
import { createConsumer, createKafkaClient, ensureTopics } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import mqtt from 'mqtt';
import { saleEvent } from '../edge/pos-events.ts';
import { freePort } from '../free-port.ts';

// The host side of test/install/run.sh: what a POS terminal and the hub do while the packaged agent
// runs in the Debian 12 container (same network namespace as the host).
//   free-ports N                                   N free loopback ports, one per line
//   topics PREFIX                                  create the agent's topics under PREFIX
//   publish URL CA_FILE STORE TERMINAL PASSWORD FROM COUNT   sales FROM..FROM+COUNT-1 over mqtts, QoS 1
//   await-sales PREFIX STORE COUNT                 wait until COUNT distinct sales of STORE are on Kafka
//   proxy LISTEN_PORT TARGET_HOST:PORT             a TCP forwarder (the store's WAN link; kill it to cut)
const [command, ...args] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case 'free-ports':
      for (let i = 0; i < Number(args[0]); i++) process.stdout.write(`${await freePort()}\n`);
      return;
    case 'topics': {
      const kafka = createKafkaClient({ brokers: localStack.kafka.brokers, clientId: 'install-test' });
      await ensureTopics(
        kafka,
        allKafkaTopics.map((topic) => `${args[0]}${topic}`),
        { partitions: 1, replicationFactor: 1 },
      );
      return;
    }
    case 'publish': {
      const [url = '', caFile = '', storeId = '', terminalId = '', password = '', from = '1', count = '1'] = args;
      const client = await mqtt.connectAsync(url, {
        username: terminalId,
        password,
        ca: readFileSync(caFile),
        reconnectPeriod: 0,
      });
      for (let seq = Number(from); seq < Number(from) + Number(count); seq++) {
        await client.publishAsync(
          `tillgate/${storeId}/pos/${terminalId}/events`,
          JSON.stringify(saleEvent(storeId, terminalId, seq)),
          { qos: 1 },
        );
      }
      await client.endAsync();
      return;
    }
    case 'await-sales': {
      const [prefix = '', storeId = '', count = '0'] = args;
      const kafka = createKafkaClient({ brokers: localStack.kafka.brokers, clientId: 'install-test' });
      const consumer = createConsumer(kafka, { groupId: `install-test-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}sales-transactions`, fromBeginning: true });
      const seen = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.size} of ${count} sales reached Kafka`)), 90_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            const event = JSON.parse(message.value?.toString() ?? '{}') as { store_id: string; event_id: string };
            if (event.store_id === storeId) seen.add(event.event_id);
            if (seen.size >= Number(count)) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      process.stdout.write(`${seen.size}\n`);
      return;
    }
    case 'proxy': {
      const [listen = '0', target = ''] = args;
      const [host = '', port = ''] = target.split(':');
      const sockets = new Set<Socket>();
      createServer((inbound) => {
        const outbound = connect(Number(port), host);
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => sockets.delete(socket));
        }
        inbound.pipe(outbound).pipe(inbound);
      }).listen(Number(listen), '127.0.0.1');
      // Cut means cut: established connections go with the proxy.
      process.on('SIGTERM', () => {
        for (const socket of sockets) socket.destroy();
        process.exit(0);
      });
      return;
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

// Exit when done: the Kafka client keeps sockets and timers that would hold the process open.
main().then(
  () => {
    if (command !== 'proxy') process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
