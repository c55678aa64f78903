import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { age } from '../format.ts';
import { useTick } from '../use-poll.ts';

interface Alert {
  alert_id: string;
  store_id: string;
  sku: string;
  state: string;
  kind?: string;
  why?: string;
  risk: number;
  on_hand: string | number;
  model_version: string;
  at: string;
}

const keep = 500; // alerts kept on the page; older ones are in GET /api/alerts
const utc = (at: string) => Date.parse(at.includes('T') ? at : `${at.replace(' ', 'T')}Z`);

/** Newest first; the recent ones from /api/alerts, then every new one pushed over SSE. */
export function AlertsPage() {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [live, setLive] = useState(false);
  const now = useTick(1_000);
  useEffect(() => {
    const merge = (incoming: Alert[]) =>
      setAlerts((current) => {
        const seen = new Set(incoming.map((alert) => `${alert.alert_id}/${alert.state}`));
        return [...incoming, ...current.filter((alert) => !seen.has(`${alert.alert_id}/${alert.state}`))]
          .sort((a, b) => utc(b.at) - utc(a.at))
          .slice(0, keep);
      });
    // Subscribe first, then load the recent ones: an alert landing in between is not lost.
    const stream = new EventSource('/api/alerts/stream');
    stream.addEventListener('open', () => setLive(true));
    stream.addEventListener('error', () => setLive(false));
    stream.addEventListener('alert', (event) => merge([JSON.parse((event as MessageEvent).data) as Alert]));
    getJson<{ alerts: Alert[] }>('/api/alerts?limit=200').then(
      (body) => merge(body.alerts),
      () => undefined,
    );
    return () => stream.close();
  }, []);
  return (
    <section>
      <div class="summary">
        <div class={`stat ${live ? 'ok' : 'bad'}`} data-testid="stream-state">
          <span class={`dot ${live ? 'ok' : 'bad'}`} /> {live ? 'live' : 'reconnecting'}
        </div>
        <div class="stat">
          <b>{alerts.filter((alert) => alert.state === 'raised').length}</b> raised on the page
        </div>
      </div>
      {alerts.length === 0 ? (
        <p class="empty">No alerts yet.</p>
      ) : (
        <table class="grid alerts">
          <thead>
            <tr>
              <th>Since</th>
              <th>Store</th>
              <th>SKU</th>
              <th>What</th>
              <th>Risk</th>
              <th>On hand</th>
              <th>State</th>
              <th>Model</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr
                key={`${alert.alert_id}/${alert.state}`}
                data-alert={alert.alert_id}
                data-sku={alert.sku}
                class={alert.state}
              >
                <td title={alert.at}>{age((now - utc(alert.at)) / 1_000)} ago</td>
                <td>
                  <a href={`#/store/${encodeURIComponent(alert.store_id)}`}>{alert.store_id}</a>
                </td>
                <td>{alert.sku}</td>
                <td class="why" title={alert.why}>
                  {alert.kind ? <span class="badge">{alert.kind.replaceAll('_', ' ')}</span> : null} {alert.why}
                </td>
                <td class="num">{Number(alert.risk).toFixed(2)}</td>
                <td class="num">{alert.on_hand}</td>
                <td>
                  <span class={`badge ${alert.state}`}>{alert.state}</span>
                </td>
                <td>{alert.model_version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
