import './style.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fetchSession, postJson, type Session } from './api.ts';
import { AlertsPage } from './pages/alerts-page.tsx';
import { FleetPage } from './pages/fleet-page.tsx';
import { KpiPage } from './pages/kpi-page.tsx';
import { ModelsPage } from './pages/models-page.tsx';
import { StorePage } from './pages/store-page.tsx';
import { useRoute } from './router.ts';

const views = [
  ['fleet', 'Fleet'],
  ['alerts', 'Live alerts'],
  ['kpis', 'KPIs'],
  ['models', 'Models'],
] as const;

function App({ session }: { session: Session & { user: NonNullable<Session['user']> } }) {
  const route = useRoute();
  const [view = 'fleet', storeId] = route.path;
  const logout = async () => {
    await postJson('/auth/logout', session.csrfToken, {});
    window.location.assign('/login');
  };
  return (
    <>
      <header class="top">
        <strong class="brand">
          tillgate <span>ops</span>
        </strong>
        <nav>
          {views.map(([id, label]) => (
            <a key={id} href={`#/${id}`} class={view === id ? 'active' : ''}>
              {label}
            </a>
          ))}
          {session.user.storeId !== null && (
            <a href={`#/store/${session.user.storeId}`} class={view === 'store' ? 'active' : ''}>
              My store
            </a>
          )}
        </nav>
        <span class="who">
          {session.user.username} · {session.user.role}
          {session.user.storeId !== null && ` · ${session.user.storeId}`}
        </span>
        <button type="button" class="logout" onClick={logout}>
          Log out
        </button>
      </header>
      <main>
        {view === 'fleet' && <FleetPage route={route} hubWide={session.user.role !== 'store-manager'} />}
        {view === 'alerts' && <AlertsPage />}
        {view === 'kpis' && <KpiPage />}
        {view === 'models' && <ModelsPage />}
        {view === 'store' && storeId !== undefined && <StorePage storeId={storeId} />}
        {!['fleet', 'alerts', 'kpis', 'models', 'store'].includes(view) && <p class="empty">No such page.</p>}
      </main>
    </>
  );
}

function Root() {
  const [session, setSession] = useState<Session | undefined>();
  useEffect(() => {
    fetchSession().then(setSession, () => setSession({ user: null, csrfToken: '' }));
  }, []);
  if (session === undefined) return null;
  if (session.user === null) {
    window.location.assign('/login');
    return null;
  }
  return <App session={{ ...session, user: session.user }} />;
}

const mount = document.getElementById('app');
if (mount) render(<Root />, mount);
