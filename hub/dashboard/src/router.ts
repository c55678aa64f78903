import { useEffect, useState } from 'preact/hooks';

// Hash routes (#/fleet?status=offline): the hub serves one page at /, so every view, filter and
// page number is a link that can be bookmarked and reloaded without a server route per view.

export interface Route {
  path: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  return {
    path: path
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent),
    params: new URLSearchParams(query),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Replaces some query parameters of the current view (an empty value removes it). */
export function setParams(route: Route, changes: Record<string, string>): void {
  const params = new URLSearchParams(route.params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === '') params.delete(key);
    else params.set(key, value);
  }
  const query = params.toString();
  window.location.hash = `#/${route.path.map(encodeURIComponent).join('/')}${query === '' ? '' : `?${query}`}`;
}
