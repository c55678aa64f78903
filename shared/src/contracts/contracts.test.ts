import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alert } from './alert.ts';
import { alertFeedback, alertFeedbackMessage } from './alert-feedback.ts';
import { contractJsonSchemas } from './json-schema.ts';
import { parsePosPayload } from './parse-pos-payload.ts';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const schemaDir = fileURLToPath(new URL('../../json-schema/', import.meta.url));
const receivedAt = new Date('2026-11-25T16:45:00.000Z');
const readExample = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${examplesDir}${file}`, 'utf8')) as Record<string, unknown>;

describe('published examples', () => {
  const files = readdirSync(examplesDir).filter((file) => file.endsWith('.json'));

  it('cover every v1 event type', () => {
    const types = files.map((file) => readExample(file).type).sort();
    expect(types).toEqual([
      'foot_traffic',
      'inventory_adjustment',
      'price_change',
      'product_scan',
      'return',
      'sale',
      'shelf_count',
      'supplier_delivery',
    ]);
  });

  it.each(files)('%s validates and is stamped with the edge clock', (file) => {
    const result = parsePosPayload(readFileSync(`${examplesDir}${file}`), receivedAt);
    expect(result.ok ? result.event.received_at : result.violation.message).toBe(receivedAt.toISOString());
  });
});

describe('published examples of what the edge sends', () => {
  const edgeExample = (file: string): unknown => JSON.parse(readFileSync(`${examplesDir}edge/${file}`, 'utf8'));

  it('alert.json is a valid alert that says what to look for and why', () => {
    const parsed = alert.parse(edgeExample('alert.json'));
    expect(parsed.kind).toBe('hidden_empty');
    expect(parsed.why).toMatch(/no sale for/);
  });

  it('alert-feedback-message.json is what a display sends; the agent forwards it with who and where', () => {
    const message = alertFeedbackMessage.parse(edgeExample('alert-feedback-message.json'));
    const forwarded = alertFeedback.parse({
      ...message,
      store_id: 'store-001',
      sku: 'MILK-1L',
      display_id: 'disp-01',
      received_at: '2026-11-25T16:49:03.000Z',
    });
    expect(forwarded.answer).toBe('empty');
    expect(alertFeedbackMessage.safeParse({ ...message, answer: 'maybe' }).error?.issues[0]?.message).toMatch(
      /empty, not_empty, fixed/,
    );
  });
});

describe('invalid payloads are rejected with the field named', () => {
  const sale = readExample('sale.json');
  const line = (overrides: Record<string, unknown>) => ({
    ...sale,
    lines: [{ sku: 'MILK-1L', quantity: 1, unit_price: 1.19, ...overrides }],
  });
  const without = (key: string) => Object.fromEntries(Object.entries(sale).filter(([k]) => k !== key));

  const cases: Array<[string, string | Record<string, unknown>, string, RegExp]> = [
    ['non-JSON', 'sale,MILK-1L,2', '(payload)', /not valid JSON/],
    ['JSON array', '[1,2]', '(payload)', /JSON object/],
    ['JSON string', '"sale"', '(payload)', /JSON object/],
    ['oversized payload', { ...sale, customer_ref: 'x'.repeat(70_000) }, '(payload)', /bytes; the limit/],
    ['unknown event type', { ...sale, type: 'refund_maybe' }, 'type', /must be one of/],
    ['missing type', without('type'), 'type', /must be one of/],
    ['wrong schema version', { ...sale, schema: 2 }, 'schema', /schema must be 1/],
    ['missing event_id', without('event_id'), 'event_id', /event_id must be a string/],
    ['empty store_id', { ...sale, store_id: '' }, 'store_id', /must not be empty/],
    ['store_id with a topic separator', { ...sale, store_id: 'store/1' }, 'store_id', /may contain only/],
    ['oversized terminal_id', { ...sale, terminal_id: 't'.repeat(65) }, 'terminal_id', /at most 64/],
    ['terminal_seq as text', { ...sale, terminal_seq: '12' }, 'terminal_seq', /must be a number/],
    ['negative terminal_seq', { ...sale, terminal_seq: -1 }, 'terminal_seq', /not be negative/],
    ['fractional terminal_seq', { ...sale, terminal_seq: 1.5 }, 'terminal_seq', /whole number/],
    ['occurred_at not a timestamp', { ...sale, occurred_at: 'yesterday' }, 'occurred_at', /ISO 8601/],
    ['occurred_at without offset', { ...sale, occurred_at: '2026-11-25T17:42:10' }, 'occurred_at', /ISO 8601/],
    // Regression (issue 15 item 3): there was no lower bound; both were accepted.
    ['dated 1970', { ...sale, occurred_at: '1970-01-01T00:00:00.000Z' }, 'occurred_at', /days before the store clock/],
    ['a year old', { ...sale, occurred_at: '2025-11-25T17:42:10.000Z' }, 'occurred_at', /older than 7\.0 days/],
    ['clock far in the future', { ...sale, occurred_at: '2026-11-25T18:00:00.000Z' }, 'occurred_at', /ahead/],
    ['no lines', { ...sale, lines: [] }, 'lines', /at least one line/],
    ['negative quantity', line({ quantity: -2 }), 'lines.0.quantity', /greater than 0/],
    ['zero quantity', line({ quantity: 0 }), 'lines.0.quantity', /greater than 0/],
    ['absurd quantity', line({ quantity: 50_000 }), 'lines.0.quantity', /not a plausible/],
    ['fractional quantity', line({ quantity: 1.5 }), 'lines.0.quantity', /whole number/],
    ['quantity as text', line({ quantity: '2' }), 'lines.0.quantity', /must be a number/],
    ['negative price', line({ unit_price: -1 }), 'lines.0.unit_price', /not be negative/],
    ['absurd price', line({ unit_price: 5e9 }), 'lines.0.unit_price', /not plausible/],
    ['lower-case sku', line({ sku: 'milk' }), 'lines.0.sku', /upper-case/],
    ['missing sku', { ...sale, lines: [{ quantity: 1, unit_price: 1 }] }, 'lines.0.sku', /sku must be a string/],
    ['bad currency', { ...sale, currency: 'euro' }, 'currency', /ISO 4217/],
    ['unknown field', { ...sale, discount_code: 'X' }, 'discount_code', /not a field/],
    [
      'adjustment of zero',
      { ...readExample('inventory_adjustment.json'), quantity_delta: 0 },
      'quantity_delta',
      /not be 0/,
    ],
    ['unknown adjustment reason', { ...readExample('inventory_adjustment.json'), reason: 'aliens' }, 'reason', /./],
    ['negative shelf count', { ...readExample('shelf_count.json'), counted_quantity: -4 }, 'counted_quantity', /neg/],
    [
      'foot traffic period too short',
      { ...readExample('foot_traffic.json'), period_seconds: 5 },
      'period_seconds',
      /60/,
    ],
  ];

  it('has at least 20 distinct cases', () => {
    expect(new Set(cases.map(([name]) => name)).size).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('%s', (_name, payload, field, reason) => {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const result = parsePosPayload(raw, receivedAt);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violation.field).toBe(field);
    expect(result.violation.reason).toMatch(reason);
    expect(result.violation.code).toBe('TG_SHARED_CONTRACT_VIOLATION');
  });
});

describe('published JSON Schema', () => {
  it.each(Object.entries(contractJsonSchemas()))(
    '%s is up to date (run npm run generate -w shared)',
    (file, schema) => {
      const committed = JSON.parse(readFileSync(`${schemaDir}${file}`, 'utf8')) as unknown;
      expect(committed).toEqual(schema);
    },
  );
});
