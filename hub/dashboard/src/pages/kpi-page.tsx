import { count, money } from '../format.ts';
import { usePoll } from '../use-poll.ts';

interface Kpis {
  at: string;
  revenue: Array<{ currency: string; today: number; sameWeekdayLastWeek: number }>;
  stockValue: Array<{ currency: string; value: number; units: number }>;
  stockOutsToday: number;
  turnover30d: { unitsSold: number; unitsOnHand: number; ratio: number | null };
}

function change(today: number, before: number): string {
  if (before === 0) return today === 0 ? 'no sales either day' : 'none last week';
  const delta = (today / before - 1) * 100;
  return `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} % vs last week`;
}

/** The executive cards; the SQL behind each is in hub/src/dashboard/kpi-queries.ts. */
export function KpiPage() {
  const { data, error } = usePoll<Kpis>('/api/kpis', 15_000);
  if (data === undefined) return <p class="empty">{error ?? 'Loading KPIs…'}</p>;
  return (
    <section class="cards">
      <article class="card" data-testid="kpi-revenue">
        <h2>Revenue today</h2>
        {data.revenue.length === 0 && <p class="big">—</p>}
        {data.revenue.map((row) => (
          <div key={row.currency}>
            <p class="big">{money(row.today, row.currency)}</p>
            <p class={row.today >= row.sameWeekdayLastWeek ? 'up' : 'down'}>
              {change(row.today, row.sameWeekdayLastWeek)} (same weekday, same time:{' '}
              {money(row.sameWeekdayLastWeek, row.currency)})
            </p>
          </div>
        ))}
      </article>
      <article class="card" data-testid="kpi-stock-value">
        <h2>Stock value</h2>
        {data.stockValue.length === 0 && <p class="big">—</p>}
        {data.stockValue.map((row) => (
          <div key={row.currency}>
            <p class="big">{money(row.value, row.currency)}</p>
            <p class="muted">{count(row.units)} units at their latest selling price</p>
          </div>
        ))}
      </article>
      <article class="card" data-testid="kpi-stock-outs">
        <h2>Stock-outs today</h2>
        <p class="big">{count(data.stockOutsToday)}</p>
        <p class="muted">store-SKUs at zero book stock that moved today, or counted empty today</p>
      </article>
      <article class="card" data-testid="kpi-turnover">
        <h2>Inventory turnover, 30 days</h2>
        <p class="big">{data.turnover30d.ratio === null ? '—' : `${data.turnover30d.ratio.toFixed(2)}×`}</p>
        <p class="muted">
          {count(data.turnover30d.unitsSold)} units sold ÷ {count(data.turnover30d.unitsOnHand)} on hand
        </p>
      </article>
    </section>
  );
}
