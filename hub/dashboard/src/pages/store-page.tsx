import { useMemo } from 'preact/hooks';
import { TimeChart } from '../chart.tsx';
import { count } from '../format.ts';
import { usePoll } from '../use-poll.ts';

interface StoreView {
  storeId: string;
  stock: Array<{
    sku: string;
    on_hand: string;
    last_movement_at: string;
    risk: number | null;
    alert_state: string | null;
  }>;
  forecast: Array<{
    targetDate: string;
    predicted: number;
    actual: number | null;
    low: number | null;
    high: number | null;
  }>;
  reorders: Array<{
    sku: string;
    quantity: string;
    stock: string;
    point: number;
    forecast_7d: number;
    version: string;
  }>;
  rejects: Array<{ topic: string; error_code: string; field: string; reason: string; dead_lettered_at: string }>;
  reconciliation: Array<{
    business_day: string;
    terminal_id: string;
    report_id: string;
    side: 'edge' | 'hub';
    outcome: 'match' | 'mismatch';
    missing_events: string;
    missing_seqs: string;
    differences: string;
  }>;
}
interface Fleet {
  stores: Array<{
    storeId: string;
    rejectsTotal: number;
    sequenceGaps: { open: number; missingEvents: number; oldestOpenSince: string | null } | null;
  }>;
}

/** One row per report: what the terminal was told (edge) and what reached head office (hub). */
function Reconciliation({ rows }: { rows: StoreView['reconciliation'] }) {
  const reports = new Map<
    string,
    { day: string; terminal: string; edge?: (typeof rows)[number]; hub?: (typeof rows)[number] }
  >();
  for (const row of rows) {
    const entry = reports.get(row.report_id) ?? { day: row.business_day, terminal: row.terminal_id };
    entry[row.side] = row;
    reports.set(row.report_id, entry);
  }
  if (reports.size === 0) {
    return <p class="empty">No Z-reports in the last 7 days.</p>;
  }
  const outcome = (row: (typeof rows)[number] | undefined) =>
    row === undefined ? <span class="muted">pending</span> : <span class={`badge ${row.outcome}`}>{row.outcome}</span>;
  return (
    <table class="grid" data-testid="reconciliation">
      <thead>
        <tr>
          <th>Day</th>
          <th>Terminal</th>
          <th>Store</th>
          <th>Head office</th>
          <th>Missing seq</th>
          <th>Differences</th>
        </tr>
      </thead>
      <tbody>
        {[...reports.entries()].map(([id, entry]) => {
          const worst = entry.hub?.outcome === 'mismatch' ? entry.hub : entry.edge;
          return (
            <tr key={id} data-report={id}>
              <td>{entry.day}</td>
              <td>{entry.terminal}</td>
              <td>{outcome(entry.edge)}</td>
              <td>{outcome(entry.hub)}</td>
              <td>{worst?.missing_seqs || '—'}</td>
              <td>{worst?.differences || '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Forecast({ days }: { days: StoreView['forecast'] }) {
  const data = useMemo(() => {
    const x = days.map((day) => Date.parse(`${day.targetDate}T00:00:00Z`) / 1_000);
    return {
      x,
      ys: [days.map((d) => d.low), days.map((d) => d.high), days.map((d) => d.predicted), days.map((d) => d.actual)],
    };
  }, [days]);
  const series = useMemo(
    () => [
      { label: 'band low (90 %)', color: 'rgba(80,130,220,0.4)' },
      { label: 'band high', color: 'rgba(80,130,220,0.4)', fillTo: 0 },
      { label: 'forecast', color: '#2f6fd6', dash: [6, 4] },
      { label: 'actual', color: '#1b1b1b' },
    ],
    [],
  );
  if (days.length === 0) {
    return (
      <p class="empty" data-testid="no-forecast">
        No forecast yet: the daily batch-prediction run has not written ml_forecast_results for this store.
      </p>
    );
  }
  return <TimeChart x={data.x} ys={data.ys} series={series} />;
}

export function StorePage({ storeId }: { storeId: string }) {
  const { data, error } = usePoll<StoreView & { at?: string }>(`/api/stores/${encodeURIComponent(storeId)}`, 10_000);
  const fleet = usePoll<Fleet & { at: string }>(`/api/fleet?store=${encodeURIComponent(storeId)}`, 10_000);
  if (data === undefined) return <p class="empty error">{error ?? 'Loading the store…'}</p>;
  const edgeRejects = fleet.data?.stores[0]?.rejectsTotal;
  const gaps = fleet.data?.stores[0]?.sequenceGaps;
  return (
    <section class="store" data-testid="store-page">
      <h1>{data.storeId}</h1>
      <div class="columns">
        <article>
          <h2>7-day demand forecast vs actual</h2>
          <Forecast days={data.forecast} />
        </article>
        <article>
          <h2>Reorder recommendations</h2>
          {data.reorders.length === 0 ? (
            <p class="empty">No reorder recommendations this week.</p>
          ) : (
            <table class="grid">
              <thead>
                <tr>
                  <th>SKU</th>
                  <th>Order</th>
                  <th>On hand</th>
                  <th>Reorder point</th>
                  <th>Forecast 7 d</th>
                </tr>
              </thead>
              <tbody>
                {data.reorders.map((row) => (
                  <tr key={row.sku}>
                    <td>{row.sku}</td>
                    <td class="num">{row.quantity}</td>
                    <td class="num">{row.stock}</td>
                    <td class="num">{Number(row.point).toFixed(0)}</td>
                    <td class="num">{Number(row.forecast_7d).toFixed(0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </article>
      </div>
      <div class="columns">
        <article>
          <h2>Stock and risk by SKU</h2>
          <table class="grid" data-testid="stock">
            <thead>
              <tr>
                <th>SKU</th>
                <th>On hand</th>
                <th>Risk</th>
                <th>Alert</th>
              </tr>
            </thead>
            <tbody>
              {data.stock.slice(0, 100).map((row) => (
                <tr key={row.sku} class={Number(row.on_hand) <= 0 ? 'offline' : ''}>
                  <td>{row.sku}</td>
                  <td class="num">{row.on_hand}</td>
                  <td class="num">{row.risk === null ? '—' : Number(row.risk).toFixed(2)}</td>
                  <td>
                    {row.alert_state === null || row.alert_state === '' ? (
                      '—'
                    ) : (
                      <span class={`badge ${row.alert_state}`}>{row.alert_state}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.stock.length > 100 && (
            <p class="muted">highest risk first; {count(data.stock.length - 100)} more SKUs not shown</p>
          )}
        </article>
        <article>
          <h2>End-of-day reconciliation</h2>
          <p class="muted" data-testid="sequence-gaps">
            {gaps === undefined || gaps === null
              ? ''
              : gaps.open === 0
                ? 'No missing terminal numbers at the store now.'
                : `${count(gaps.missingEvents)} terminal numbers never reached the store agent (${gaps.open} gaps, oldest open since ${gaps.oldestOpenSince}).`}
          </p>
          <Reconciliation rows={data.reconciliation} />
        </article>
      </div>
      <div class="columns">
        <article>
          <h2>Recent rejects</h2>
          <p class="muted">
            {edgeRejects === undefined
              ? ''
              : `${count(edgeRejects)} POS messages rejected at the store (agent's count). `}
            Below: messages of this store the hub refused.
          </p>
          {data.rejects.length === 0 ? (
            <p class="empty">None at the hub.</p>
          ) : (
            <table class="grid">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Topic</th>
                  <th>Field</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {data.rejects.map((row) => (
                  <tr key={`${row.dead_lettered_at}/${row.field}`}>
                    <td>{row.dead_lettered_at}</td>
                    <td>{row.topic}</td>
                    <td>{row.field}</td>
                    <td>{row.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </article>
      </div>
    </section>
  );
}
