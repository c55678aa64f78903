import { createServer } from 'node:net';
import { Aedes } from 'aedes';

// A bare aedes broker in its own process — no login check, no durability, PUBACK at once: the
// reference for what the MQTT path and the publisher alone can carry on this machine
// (bench/edge-intake.ts). Prints its port on stdout once listening.
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.once('SIGTERM', () => broker.close(() => server.close(() => process.exit(0))));
