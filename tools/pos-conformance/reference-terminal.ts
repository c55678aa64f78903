// The reference terminal for the conformance kit: the simulators' own Terminal (persistent session,
// QoS 1, replies subscribed) and EventFactory (event_id a pure function of the terminal and its
// sequence), publishing TG_CONFORMANCE_EVENTS sales one basket at a time, as a till does, and its
// Z-report (simulators' ZReportDay) at close, once every sale is acknowledged.
import { EventFactory } from '../../simulators/src/event-factory.ts';
import { Terminal } from '../../simulators/src/terminal.ts';
import { ZReportDay } from '../../simulators/src/z-report-day.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined)
    throw new Error(`reference terminal: ${name} is not set (run it through the conformance kit)`);
  return value;
};
const storeId = env('TG_CONFORMANCE_STORE');
const terminalId = env('TG_CONFORMANCE_TERMINAL');
const events = Number(env('TG_CONFORMANCE_EVENTS'));

const factory = new EventFactory(1, Date.now(), storeId);
const day = new ZReportDay(storeId, terminalId, new Date());
const terminal = await Terminal.connect({
  storeId,
  terminalId,
  url: env('TG_CONFORMANCE_URL'),
  password: env('TG_CONFORMANCE_PASSWORD'),
  window: 1,
  onAck: () => undefined,
  onReject: (eventId, reason) => process.stderr.write(`rejected ${eventId}: ${reason}\n`),
});
for (let i = 0; i < events; i++) {
  const sale = factory.make('sale', terminalId, Date.now(), {
    currency: 'EUR',
    lines: [{ sku: `SKU-${String(i % 50).padStart(5, '0')}`, quantity: 1 + (i % 3), unit_price: 1.99, promo: false }],
  });
  day.record(sale);
  await terminal.publish(sale);
}
const answer = await terminal.sendZReport(day.report(new Date()));
process.stderr.write(`z-report ${answer.report_id}: ${answer.outcome}\n`);
await terminal.close();
