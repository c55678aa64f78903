import type { Alert, AlertFeedback, Heartbeat, StoreEvent, ZReportForward } from '@tillgate/shared';
import { differencesText } from '../reconciliation/reconciliation-text.ts';
import { toClickHouseTime } from './clickhouse-time.ts';

// How each contract type becomes rows of its raw table (sql/0001-0010). Multi-line events are flattened
// one row per line with (event_id, line_no) as the identity.

export type Row = Record<string, unknown>;

/** Where a row came from in Kafka, kept in every raw row so any row can be traced to its message. */
export interface KafkaOrigin {
  partition: number;
  offset: string;
  ingestedAt: string;
}

export interface TableRows {
  table: string;
  rows: Row[];
}

// The envelope is spread LAST in every row literal: V8 (Node 20) turns `{ ...base, more }` into a slow
// dictionary-mode object, 25 µs a row (measured), which capped ingest at ~10k rows/s.
const envelope = (event: StoreEvent, origin: KafkaOrigin): Row => ({
  event_id: event.event_id,
  store_id: event.store_id,
  terminal_id: event.terminal_id,
  terminal_seq: event.terminal_seq,
  occurred_at: toClickHouseTime(event.occurred_at),
  received_at: toClickHouseTime(event.received_at),
  kafka_partition: origin.partition,
  kafka_offset: origin.offset,
  ingested_at: origin.ingestedAt,
});

export function eventRows(event: StoreEvent, origin: KafkaOrigin): TableRows {
  const base = envelope(event, origin);
  switch (event.type) {
    case 'sale':
      return {
        table: 'sales_lines',
        rows: event.lines.map((line, lineNo) => ({
          line_no: lineNo,
          currency: event.currency,
          customer_ref: event.customer_ref ?? '',
          line_count: event.lines.length,
          sku: line.sku,
          quantity: line.quantity,
          unit_price: line.unit_price,
          promo: line.promo,
          ...base,
        })),
      };
    case 'return':
      return {
        table: 'return_lines',
        rows: event.lines.map((line, lineNo) => ({
          line_no: lineNo,
          currency: event.currency,
          original_event_id: event.original_event_id ?? '',
          sku: line.sku,
          quantity: line.quantity,
          unit_price: line.unit_price,
          reason: line.reason,
          restock: line.restock,
          ...base,
        })),
      };
    case 'product_scan':
      return { table: 'product_scans', rows: [{ sku: event.sku, purpose: event.purpose, ...base }] };
    case 'price_change':
      return {
        table: 'price_changes',
        rows: [
          {
            sku: event.sku,
            currency: event.currency,
            new_price: event.new_price,
            promo: event.promo,
            effective_from: toClickHouseTime(event.effective_from),
            ...base,
          },
        ],
      };
    case 'shelf_count':
      return { table: 'shelf_counts', rows: [{ sku: event.sku, counted_quantity: event.counted_quantity, ...base }] };
    case 'inventory_adjustment':
      return {
        table: 'inventory_adjustments',
        rows: [{ sku: event.sku, quantity_delta: event.quantity_delta, reason: event.reason, ...base }],
      };
    case 'supplier_delivery':
      return {
        table: 'delivery_lines',
        rows: event.lines.map((line, lineNo) => ({
          line_no: lineNo,
          delivery_id: event.delivery_id,
          supplier_id: event.supplier_id,
          sku: line.sku,
          quantity: line.quantity,
          ...base,
        })),
      };
    case 'foot_traffic':
      return {
        table: 'foot_traffic',
        rows: [{ period_seconds: event.period_seconds, visitors: event.visitors, ...base }],
      };
  }
}

export function alertRows(alert: Alert, origin: KafkaOrigin): TableRows {
  const { schema: _schema, at, ...fields } = alert;
  return {
    table: 'alerts',
    rows: [
      {
        at: toClickHouseTime(at),
        kafka_partition: origin.partition,
        kafka_offset: origin.offset,
        ingested_at: origin.ingestedAt,
        ...fields,
      },
    ],
  };
}

export function feedbackRows(feedback: AlertFeedback, origin: KafkaOrigin): TableRows {
  const { schema: _schema, answered_at, received_at, ...fields } = feedback;
  return {
    table: 'alert_feedback',
    rows: [
      {
        answered_at: toClickHouseTime(answered_at),
        received_at: toClickHouseTime(received_at),
        kafka_partition: origin.partition,
        kafka_offset: origin.offset,
        ingested_at: origin.ingestedAt,
        ...fields,
      },
    ],
  };
}

export function heartbeatRows(beat: Heartbeat, origin: KafkaOrigin): TableRows {
  const optionalTime = (value: string | null) => (value === null ? null : toClickHouseTime(value));
  return {
    table: 'heartbeats',
    rows: [
      {
        store_id: beat.store_id,
        sent_at: toClickHouseTime(beat.sent_at),
        agent_version: beat.agent_version,
        started_at: toClickHouseTime(beat.started_at),
        backlog_events: beat.backlog_events,
        oldest_unsent_at: optionalTime(beat.oldest_unsent_at),
        last_forward_at: optionalTime(beat.last_forward_at),
        model_name: beat.model_name ?? '',
        model_version: beat.model_version ?? '',
        disk_used_bytes: beat.disk_used_bytes,
        rejects_total: beat.rejects_total,
        alerts_open: beat.alerts_open,
        update_state: beat.model_update?.state ?? '',
        update_rollout_id: beat.model_update?.rollout_id ?? '',
        update_version: beat.model_update?.version ?? '',
        update_reason: beat.model_update?.reason ?? '',
        update_since: beat.model_update === undefined ? null : toClickHouseTime(beat.model_update.since),
        gaps_open: beat.sequence_gaps?.open ?? null,
        gaps_missing_events: beat.sequence_gaps?.missing_events ?? 0,
        gaps_oldest_open_since: optionalTime(beat.sequence_gaps?.oldest_open_since ?? null),
        ingested_at: origin.ingestedAt,
      },
    ],
  };
}

export function zReportRows(forward: ZReportForward, origin: KafkaOrigin): TableRows {
  const { report, edge_result: result } = forward;
  return {
    table: 'z_reports',
    rows: [
      {
        report_id: report.report_id,
        store_id: report.store_id,
        terminal_id: report.terminal_id,
        business_day: report.business_day,
        opened_at: toClickHouseTime(report.opened_at),
        closed_at: toClickHouseTime(report.closed_at),
        first_seq: report.first_seq,
        last_seq: report.last_seq,
        currency: report.currency,
        counts: report.counts,
        baskets: report.baskets,
        gross_sales: report.gross_sales,
        net_sales: report.net_sales,
        received_at: toClickHouseTime(report.received_at),
        edge_outcome: result.outcome,
        edge_reconciled_at: toClickHouseTime(result.reconciled_at),
        edge_missing_events: result.missing_events,
        edge_missing_seqs: result.missing_seqs,
        edge_differences: differencesText(result.differences),
        edge_found_counts: result.found.counts,
        edge_found_baskets: result.found.baskets,
        edge_found_gross_sales: result.found.gross_sales,
        edge_found_net_sales: result.found.net_sales,
        kafka_partition: origin.partition,
        kafka_offset: origin.offset,
        ingested_at: origin.ingestedAt,
      },
    ],
  };
}
