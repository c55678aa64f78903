import { age, count } from '../format.ts';
import { type Route, setParams } from '../router.ts';
import { usePoll, useTick } from '../use-poll.ts';

interface Store {
  storeId: string;
  lastSeenAt: string;
  agentVersion: string;
  modelName: string | null;
  modelVersion: string | null;
  backlogEvents: number;
  oldestUnsentAt: string | null;
  alertsOpen: number;
  rejectsTotal: number;
  /** Numbers the terminals used that never reached the agent (null: the agent predates gap detection). */
  sequenceGaps: { open: number; missingEvents: number; oldestOpenSince: string | null } | null;
  flags: string[];
  rollout?: { state?: string; targetVersion?: string } | null;
}
interface Fleet {
  at: string;
  onlineWithinSeconds: number;
  stores: Store[];
}
interface Lag {
  groups: Array<{ groupId: string; totalLag: number }>;
}

const pageSize = 50; // rows per page: 500 stores are 10 pages, and a page renders in a few ms
const pollMs = 2_000; // the fleet is re-read this often; ages and online state tick every second

type Column = 'store' | 'status' | 'seen' | 'backlog' | 'unsent' | 'agent' | 'model' | 'alerts' | 'rejects' | 'gaps';

interface Row extends Store {
  secondsSince: number;
  online: boolean;
  /** Seconds since the oldest event the hub has not got; at least the time since the store was last heard. */
  unsentSeconds: number | null;
}

function rows(fleet: Fleet, now: number): Row[] {
  return fleet.stores.map((store) => {
    const secondsSince = (now - Date.parse(store.lastSeenAt)) / 1_000;
    const online = secondsSince <= fleet.onlineWithinSeconds;
    const oldest = store.oldestUnsentAt === null ? null : (now - Date.parse(store.oldestUnsentAt)) / 1_000;
    // Offline, the last heartbeat's backlog is all the hub knows; every sale since is unsent too.
    const unsentSeconds = online ? oldest : Math.max(oldest ?? 0, secondsSince);
    return { ...store, secondsSince, online, unsentSeconds };
  });
}

const sorters: Record<Column, (a: Row, b: Row) => number> = {
  store: (a, b) => a.storeId.localeCompare(b.storeId),
  // Descending (the default view) puts offline stores first: what needs attention is on top.
  status: (a, b) => Number(b.online) - Number(a.online),
  seen: (a, b) => a.secondsSince - b.secondsSince,
  backlog: (a, b) => a.backlogEvents - b.backlogEvents,
  unsent: (a, b) => (a.unsentSeconds ?? -1) - (b.unsentSeconds ?? -1),
  agent: (a, b) => a.agentVersion.localeCompare(b.agentVersion),
  model: (a, b) => `${a.modelVersion}`.localeCompare(`${b.modelVersion}`),
  alerts: (a, b) => a.alertsOpen - b.alertsOpen,
  rejects: (a, b) => a.rejectsTotal - b.rejectsTotal,
  gaps: (a, b) => (a.sequenceGaps?.missingEvents ?? -1) - (b.sequenceGaps?.missingEvents ?? -1),
};

export function FleetPage({ route, hubWide }: { route: Route; hubWide: boolean }) {
  const fleet = usePoll<Fleet>('/api/fleet', pollMs);
  // Consumer lag is hub-wide: admin and ops only (the API answers 403 to a store manager).
  const lag = usePoll<Lag & { at?: string }>(hubWide ? '/api/lag' : null, 5_000);
  const now = useTick(1_000) - fleet.skewMs;
  const q = route.params.get('q') ?? '';
  const status = route.params.get('status') ?? 'all';
  const sort = (route.params.get('sort') ?? 'status') as Column;
  const descending = route.params.get('dir') !== 'asc';
  const page = Math.max(1, Number(route.params.get('page') ?? '1') || 1);

  if (fleet.data === undefined) return <p class="empty">{fleet.error ?? 'Loading the fleet…'}</p>;
  const all = rows(fleet.data, now);
  const online = all.filter((row) => row.online).length;
  const shown = all
    .filter((row) => row.storeId.includes(q.trim()))
    .filter((row) => status === 'all' || (status === 'online') === row.online)
    .sort(
      (a, b) => (descending ? -1 : 1) * (sorters[sort] ?? sorters.store)(a, b) || a.storeId.localeCompare(b.storeId),
    );
  const pages = Math.max(1, Math.ceil(shown.length / pageSize));
  const current = Math.min(page, pages);
  const header = (column: Column, label: string) => (
    <th
      class={`sortable ${sort === column ? 'sorted' : ''}`}
      onClick={() => setParams(route, { sort: column, dir: sort === column && descending ? 'asc' : 'desc', page: '' })}
    >
      {label}
      {sort === column ? (descending ? ' ▾' : ' ▴') : ''}
    </th>
  );

  return (
    <section>
      <div class="summary">
        <div class="stat">
          <b data-testid="stores-total">{count(all.length)}</b> stores
        </div>
        <div class="stat ok">
          <b data-testid="stores-online">{count(online)}</b> online
        </div>
        <div class={`stat ${all.length - online > 0 ? 'bad' : ''}`}>
          <b data-testid="stores-offline">{count(all.length - online)}</b> offline
        </div>
        {lag.data?.groups.map((group) => (
          <div class="stat" key={group.groupId} title="hub consumer lag, messages">
            <b>{count(group.totalLag)}</b> lag {group.groupId.replace(/^tillgate-hub-/, '')}
          </div>
        ))}
        <div class="stat muted">offline after {fleet.data.onlineWithinSeconds} s without a heartbeat</div>
      </div>
      {fleet.error !== undefined && <p class="error">Not refreshed: {fleet.error}</p>}
      <div class="filters">
        <input
          type="search"
          placeholder="Filter stores"
          value={q}
          maxLength={64}
          onInput={(event) => setParams(route, { q: (event.target as HTMLInputElement).value, page: '' })}
        />
        <select
          value={status}
          onChange={(event) => setParams(route, { status: (event.target as HTMLSelectElement).value, page: '' })}
        >
          <option value="all">all</option>
          <option value="online">online</option>
          <option value="offline">offline</option>
        </select>
        <span class="muted">{count(shown.length)} shown</span>
      </div>
      <table class="grid fleet">
        <thead>
          <tr>
            {header('store', 'Store')}
            {header('status', 'Status')}
            {header('seen', 'Last heartbeat')}
            {header('backlog', 'Backlog')}
            {header('unsent', 'Oldest unsent')}
            {header('agent', 'Agent')}
            {header('model', 'Model')}
            <th>Rollout</th>
            {header('alerts', 'Open alerts')}
            {header('rejects', 'Rejects')}
            {header('gaps', 'Missing seq')}
            <th>Data quality</th>
          </tr>
        </thead>
        <tbody>
          {shown.slice((current - 1) * pageSize, current * pageSize).map((row) => (
            <tr
              key={row.storeId}
              data-store={row.storeId}
              data-online={String(row.online)}
              class={row.online ? '' : 'offline'}
            >
              <td>
                <a href={`#/store/${encodeURIComponent(row.storeId)}`}>{row.storeId}</a>
              </td>
              <td>
                <span class={`dot ${row.online ? 'ok' : 'bad'}`} /> {row.online ? 'online' : 'offline'}
              </td>
              <td data-testid="seen" data-seconds={String(Math.floor(row.secondsSince))}>
                {age(row.secondsSince)} ago
              </td>
              <td data-testid="backlog" class="num">
                {count(row.backlogEvents)}
              </td>
              <td
                data-testid="unsent"
                data-seconds={row.unsentSeconds === null ? '' : String(Math.round(row.unsentSeconds))}
              >
                {row.unsentSeconds === null ? '—' : `${row.online ? '' : '≥ '}${age(row.unsentSeconds)}`}
              </td>
              <td>{row.agentVersion}</td>
              <td>{row.modelVersion === null ? '—' : `${row.modelName} ${row.modelVersion}`}</td>
              <td>{row.rollout?.state ?? '—'}</td>
              <td class="num">{count(row.alertsOpen)}</td>
              <td class="num">{count(row.rejectsTotal)}</td>
              <td
                data-testid="gaps"
                data-missing={row.sequenceGaps === null ? '' : String(row.sequenceGaps.missingEvents)}
                class="num"
                title={
                  row.sequenceGaps?.oldestOpenSince == null
                    ? 'terminal_seq numbers not received by the store agent'
                    : `${row.sequenceGaps.open} gaps, oldest open since ${row.sequenceGaps.oldestOpenSince}`
                }
              >
                {row.sequenceGaps === null ? '—' : count(row.sequenceGaps.missingEvents)}
              </td>
              <td>
                {row.flags.map((flag) => (
                  <span class="flag" key={flag}>
                    {flag}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={current <= 1} onClick={() => setParams(route, { page: String(current - 1) })}>
          ‹ Prev
        </button>
        <span>
          page {current} of {pages}
        </span>
        <button
          type="button"
          disabled={current >= pages}
          onClick={() => setParams(route, { page: String(current + 1) })}
        >
          Next ›
        </button>
      </div>
    </section>
  );
}
