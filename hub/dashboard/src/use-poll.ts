import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.ts';

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  /** Browser clock minus the server's `at` when the answer came, so ages tick between polls. */
  skewMs: number;
}

/** GETs `url` now and every `everyMs` (0: once) while the view is shown; `null`: nothing to fetch. */
export function usePoll<T extends { at?: string }>(url: string | null, everyMs: number): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined, skewMs: 0 });
  useEffect(() => {
    if (url === null) return;
    let stopped = false;
    let timer: number | undefined;
    const load = async () => {
      try {
        const data = await getJson<T>(url);
        const skewMs = data.at === undefined ? 0 : Date.now() - Date.parse(data.at);
        if (!stopped) setState({ data, error: undefined, skewMs });
      } catch (error) {
        if (!stopped) setState((previous) => ({ ...previous, error: (error as Error).message }));
      }
      if (!stopped && everyMs > 0) timer = window.setTimeout(load, everyMs);
    };
    void load();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [url, everyMs]);
  return state;
}

/** Re-renders every `everyMs`, for ages that tick ("12 s ago") between polls. */
export function useTick(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
