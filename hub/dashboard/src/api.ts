// The page's one way to the hub's API: same origin, the session cookie goes by itself, the CSRF
// token from GET /auth/session on every state change, and a 401 sends the browser to the login.

export type Role = 'admin' | 'ops' | 'store-manager';
export interface User {
  username: string;
  role: Role;
  storeId: string | null;
}
export interface Session {
  user: User | null;
  csrfToken: string;
}

export async function fetchSession(): Promise<Session> {
  const response = await fetch('/auth/session', { credentials: 'same-origin' });
  return (await response.json()) as Session;
}

export function postJson(url: string, csrfToken: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
  });
}

export class ApiFailure extends Error {}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (response.status === 401) {
    window.location.assign('/login');
    throw new ApiFailure('logged out');
  }
  const body = await response.json();
  if (!response.ok) throw new ApiFailure(body.message ?? `${url}: ${response.status}`);
  return body as T;
}
