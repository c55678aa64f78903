import type { PosEvent } from '@tillgate/shared';
import type { MqttClient } from 'mqtt';
import { connectTerminal, terminalPassword } from './harness.ts';

/**
 * A POS terminal as real ones behave: QoS 1 with up to `window` messages in flight; when the
 * connection drops it reconnects and re-sends every message not yet acknowledged, with the same
 * event_id and terminal_seq. `onAck` sees each PUBACK (the agent's promise that the event is durable).
 */
export async function runTerminal(options: {
  port: () => number;
  storeId: string;
  terminalId: string;
  events: PosEvent[];
  window: number;
  onAck: (event: PosEvent) => void;
}): Promise<{ resent: number }> {
  const pending = [...options.events];
  const unacked = new Set<PosEvent>();
  let resent = 0;
  const topic = `tillgate/${options.storeId}/pos/${options.terminalId}/events`;
  for (;;) {
    let client: MqttClient;
    try {
      client = await connectTerminal(options.port(), options.terminalId, terminalPassword);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const lost = await new Promise<boolean>((resolve) => {
      let closed = false;
      client.once('close', () => {
        closed = true;
        resolve(true);
      });
      const pump = () => {
        while (!closed && unacked.size < options.window && pending.length > 0) {
          const event = pending.shift() as PosEvent;
          unacked.add(event);
          client.publish(topic, JSON.stringify(event), { qos: 1 }, (error) => {
            if (error !== undefined && error !== null) return;
            if (!unacked.delete(event)) return;
            options.onAck(event);
            if (pending.length === 0 && unacked.size === 0) resolve(false);
            else pump();
          });
        }
      };
      pump();
      if (pending.length === 0 && unacked.size === 0) resolve(false);
    });
    client.end(true);
    if (!lost) return { resent };
    // The PUBACK of what was in flight never came: it goes again, first and in order, on the next
    // connection — whether or not the agent had committed it.
    resent += unacked.size;
    pending.unshift(...[...unacked].sort((a, b) => a.terminal_seq - b.terminal_seq));
    unacked.clear();
  }
}
