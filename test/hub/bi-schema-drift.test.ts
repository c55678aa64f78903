import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClickHouse, migrate } from '@tillgate/hub';
import { alert } from '@tillgate/shared/contracts/alert';
import { posEnvelope } from '@tillgate/shared/contracts/envelope';
import { returnEvent, returnLine } from '@tillgate/shared/contracts/events/return';
import { saleEvent, saleLine } from '@tillgate/shared/contracts/events/sale';
import { zReportBody, zReportResult } from '@tillgate/shared/contracts/z-report';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Must-show: the Power BI star schema cannot drift from what Power BI reads safely, from the raw
// tables that feed it, or from the event contracts. Reads system.columns of a migrated chDB.

const starObjects = [
  'dim_date',
  'dim_store',
  'dim_product',
  'fact_sales',
  'fact_inventory',
  'fact_ml_predictions',
  'fact_alerts',
  // Not a star table, but Power BI reads it beside them (Z-report reconciliation per store and day).
  'reconciliation',
];

/**
 * What the ODBC connector maps cleanly: UInt64 loads as Binary, Nullable breaks SUM folding
 * (cast to Decimal of NULL), DateTime64 does not fold in date filters, Decimal SUM folds through a
 * scale-dropping cast, LowCardinality is reported by name and not by type. So: none of those.
 */
const powerBiSafe = /^(Int8|Int16|Int32|Int64|Float64|String|Date|DateTime\('UTC'\))$/;

/** Contract fields that reach Power BI, and the star column each becomes; all others are listed as left out. */
const contractColumns: {
  contract: string;
  fields: string[];
  table: string;
  mapped: Record<string, string>;
  leftOut: string[];
}[] = [
  {
    contract: 'sale (envelope and event)',
    fields: Object.keys(saleEvent.shape),
    table: 'fact_sales',
    mapped: {
      event_id: 'event_id',
      store_id: 'store_id',
      occurred_at: 'sold_at',
      currency: 'currency',
      customer_ref: 'customer_ref',
    },
    // Transport and terminal bookkeeping; lines are the fact's grain.
    leftOut: ['schema', 'type', 'terminal_id', 'terminal_seq', 'received_at', 'lines'],
  },
  {
    contract: 'sale line',
    fields: Object.keys(saleLine.shape),
    table: 'fact_sales',
    mapped: { sku: 'sku', quantity: 'quantity', unit_price: 'unit_price', promo: 'promo' },
    leftOut: [],
  },
  {
    contract: 'return (envelope and event)',
    fields: Object.keys(returnEvent.shape),
    table: 'fact_sales',
    mapped: { event_id: 'event_id', store_id: 'store_id', occurred_at: 'sold_at', currency: 'currency' },
    leftOut: ['schema', 'type', 'terminal_id', 'terminal_seq', 'received_at', 'lines', 'original_event_id'],
  },
  {
    contract: 'return line',
    fields: Object.keys(returnLine.shape),
    table: 'fact_sales',
    mapped: { sku: 'sku', quantity: 'units_returned', unit_price: 'unit_price' },
    // Why an item came back and whether it went back on the shelf shape fact_inventory, not sales.
    leftOut: ['reason', 'restock'],
  },
  {
    contract: 'alert',
    fields: Object.keys(alert.shape),
    table: 'fact_alerts',
    mapped: {
      alert_id: 'alert_id',
      store_id: 'store_id',
      sku: 'sku',
      state: 'state',
      kind: 'kind',
      why: 'why',
      risk: 'risk',
      threshold: 'threshold',
      on_hand: 'on_hand_units',
      model_name: 'model_name',
      model_version: 'model_version',
      at: 'alerted_at',
    },
    leftOut: ['schema', 'trigger_event_id'],
  },
  {
    contract: 'z_report',
    fields: Object.keys(zReportBody.shape),
    table: 'reconciliation',
    mapped: {
      report_id: 'report_id',
      store_id: 'store_id',
      terminal_id: 'terminal_id',
      business_day: 'business_day',
      closed_at: 'closed_at',
      first_seq: 'first_seq',
      last_seq: 'last_seq',
      currency: 'currency',
      counts: 'reported_events',
      baskets: 'reported_baskets',
      gross_sales: 'reported_gross_sales',
      net_sales: 'reported_net_sales',
    },
    // Transport; opened_at bounds the reconciled span and stays in the raw z_reports table.
    leftOut: ['schema', 'type', 'opened_at'],
  },
  {
    contract: 'z_report_result',
    fields: Object.keys(zReportResult.shape),
    table: 'reconciliation',
    mapped: {
      report_id: 'report_id',
      store_id: 'store_id',
      terminal_id: 'terminal_id',
      business_day: 'business_day',
      side: 'side',
      outcome: 'outcome',
      reconciled_at: 'reconciled_at',
      missing_seqs: 'missing_seqs',
      missing_events: 'missing_events',
      differences: 'differences',
      found: 'found_events',
    },
    // Transport; found's per-type counts stay in z_reports (edge) and are recomputed (hub) on demand.
    leftOut: ['schema', 'kind'],
  },
];

describe('star schema types and drift', () => {
  let dir: string;
  let client: ClickHouseClient;
  const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-bi-drift-'));
    client = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const columnsOf = async (table: string) =>
    new Map(
      (
        await rows<{ name: string; type: string }>(
          `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '${table}' ORDER BY position`,
        )
      ).map((column) => [column.name, column.type]),
    );

  it('no UInt64, no Nullable, no DateTime64, no Decimal, no LowCardinality in any star-schema object', async () => {
    const unsafe = await rows<{ table: string; name: string; type: string }>(
      `SELECT table, name, type FROM system.columns
       WHERE database = currentDatabase() AND table IN (${starObjects.map((name) => `'${name}'`).join(', ')})`,
    );
    expect(new Set(unsafe.map((column) => column.table))).toEqual(new Set(starObjects));
    expect(unsafe.filter((column) => !powerBiSafe.test(column.type))).toEqual([]);
  });

  it('every surrogate key is Int64 and every date key Int32, so the relationships join in DirectQuery', async () => {
    const keys = await rows<{ name: string; type: string }>(
      `SELECT DISTINCT name, type FROM system.columns WHERE database = currentDatabase()
       AND table IN (${starObjects.map((name) => `'${name}'`).join(', ')}) AND name LIKE '%_key' ORDER BY name`,
    );
    expect(keys).toEqual([
      { name: 'date_key', type: 'Int32' },
      { name: 'forecast_date_key', type: 'Int32' },
      { name: 'product_key', type: 'Int64' },
      { name: 'store_key', type: 'Int64' },
    ]);
  });

  it('each materialized view feeding the star schema selects exactly the target columns and types', async () => {
    // A raw-table or contract change that alters what a view selects would be cast silently on insert.
    const views = await rows<{ name: string; as_select: string; target: string }>(
      `SELECT name, as_select, arrayElement(dependencies_table, 1) AS target FROM system.tables
       WHERE database = currentDatabase() AND engine = 'MaterializedView' AND name LIKE 'fact_%'`,
    );
    const targets = await rows<{ name: string; target: string }>(
      `SELECT name, extract(create_table_query, 'TO [^ ]*?\\\\.?([a-z_]+) ') AS target FROM system.tables
       WHERE database = currentDatabase() AND engine = 'MaterializedView' AND name LIKE 'fact_%' ORDER BY name`,
    );
    expect(targets.map((view) => [view.name, view.target])).toEqual([
      ['fact_alerts_mv', 'fact_alerts'],
      ['fact_sales_returns_mv', 'fact_sales'],
      ['fact_sales_sales_mv', 'fact_sales'],
    ]);
    for (const view of views) {
      const target = targets.find((candidate) => candidate.name === view.name)?.target as string;
      const selected = await rows<{ name: string; type: string }>(`DESCRIBE TABLE (${view.as_select})`);
      const expected = [...(await columnsOf(target)).entries()].map(([name, type]) => ({ name, type }));
      // LowCardinality(T) -> T on insert is lossless (functions of a LowCardinality column keep the
      // wrapper); any other difference would be a silent cast.
      const plain = (type: string) => type.replace(/^LowCardinality\((.*)\)$/, '$1');
      expect({ view: view.name, columns: selected.map(({ name, type }) => ({ name, type: plain(type) })) }).toEqual({
        view: view.name,
        columns: expected,
      });
    }
  });

  it('every contract field is either a star column of a Power BI-safe type or deliberately left out', async () => {
    expect(Object.keys(posEnvelope)).toContain('event_id');
    for (const { contract, fields, table, mapped, leftOut } of contractColumns) {
      const columns = await columnsOf(table);
      const unaccounted = fields.filter((field) => !(field in mapped) && !leftOut.includes(field));
      expect({ contract, unaccounted }).toEqual({ contract, unaccounted: [] });
      for (const [field, column] of Object.entries(mapped)) {
        expect({ contract, field, type: columns.get(column) }).toEqual({
          contract,
          field,
          type: expect.stringMatching(powerBiSafe),
        });
      }
    }
  });
});
