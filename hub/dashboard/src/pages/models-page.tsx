import { useMemo } from 'preact/hooks';
import { TimeChart } from '../chart.tsx';
import { percent } from '../format.ts';
import { usePoll } from '../use-poll.ts';

interface Models {
  at: string;
  forecastError: Array<{
    day: string;
    modelVersion: string;
    n: number;
    mape: number | null;
    rmse: number | null;
    naiveMape: number | null;
    naiveRmse: number | null;
  }>;
  alertPrecision: Array<{ modelVersion: string; raised: number; confirmedByCount: number; precision: number | null }>;
  versions: Array<{ model: string; stores: string[] }>;
}

function ErrorChart({ rows }: { rows: Models['forecastError'] }) {
  const data = useMemo(() => {
    const days = [...new Set(rows.map((row) => row.day))].sort();
    const byDay = (pick: (row: Models['forecastError'][number]) => number | null) =>
      days.map((day) => {
        const row = rows.find((entry) => entry.day === day);
        return row === undefined ? null : pick(row);
      });
    return {
      x: days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1_000),
      ys: [byDay((row) => row.mape), byDay((row) => row.naiveMape)],
    };
  }, [rows]);
  const series = useMemo(
    () => [
      { label: 'model MAPE', color: '#2f6fd6' },
      { label: 'seasonal naive MAPE', color: '#c0392b', dash: [6, 4] },
    ],
    [],
  );
  return <TimeChart x={data.x} ys={data.ys} series={series} height={220} />;
}

export function ModelsPage() {
  const { data, error } = usePoll<Models>('/api/models', 30_000);
  if (data === undefined) return <p class="empty">{error ?? 'Loading model performance…'}</p>;
  return (
    <section class="models">
      <article>
        <h2>Which version runs where</h2>
        <table class="grid" data-testid="versions">
          <thead>
            <tr>
              <th>Model</th>
              <th>Stores</th>
            </tr>
          </thead>
          <tbody>
            {data.versions.map((row) => (
              <tr key={row.model}>
                <td>{row.model}</td>
                <td>
                  {row.stores.length} — {row.stores.slice(0, 12).join(', ')}
                  {row.stores.length > 12 ? ' …' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </article>
      <article>
        <h2>Forecast error, last 28 days</h2>
        {data.forecastError.length === 0 ? (
          <p class="empty">
            No forecast with a known actual yet (ml_forecast_results is filled by the daily batch predictions).
          </p>
        ) : (
          <>
            <ErrorChart rows={data.forecastError} />
            <table class="grid">
              <thead>
                <tr>
                  <th>Day</th>
                  <th>Version</th>
                  <th>MAPE</th>
                  <th>naive MAPE</th>
                  <th>RMSE</th>
                  <th>naive RMSE</th>
                </tr>
              </thead>
              <tbody>
                {data.forecastError.slice(-14).map((row) => (
                  <tr key={`${row.day}/${row.modelVersion}`}>
                    <td>{row.day}</td>
                    <td>{row.modelVersion}</td>
                    <td class="num">{percent(row.mape)}</td>
                    <td class="num">{percent(row.naiveMape)}</td>
                    <td class="num">{row.rmse?.toFixed(2) ?? '—'}</td>
                    <td class="num">{row.naiveRmse?.toFixed(2) ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </article>
      <article>
        <h2>Alert precision, alerts 2–7 days old</h2>
        <p class="muted">
          Confirmed = the SKU was counted empty on the shelf within 48 h of the alert. Staff answers to alerts are not
          in the hub yet, so shelf counts are the only label here.
        </p>
        {data.alertPrecision.length === 0 ? (
          <p class="empty">No alerts old enough to judge.</p>
        ) : (
          <table class="grid">
            <thead>
              <tr>
                <th>Version</th>
                <th>Raised</th>
                <th>Confirmed by a count</th>
                <th>Precision</th>
              </tr>
            </thead>
            <tbody>
              {data.alertPrecision.map((row) => (
                <tr key={row.modelVersion}>
                  <td>{row.modelVersion}</td>
                  <td class="num">{row.raised}</td>
                  <td class="num">{row.confirmedByCount}</td>
                  <td class="num">{percent(row.precision)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </article>
    </section>
  );
}
