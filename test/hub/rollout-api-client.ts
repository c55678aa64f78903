// A logged-in client of the hub's HTTP API over a real port, walking the browser's path (GET
// /auth/session for the CSRF token and cookie, POST /auth/login), as `tillgate-hub rollout` does.

export interface ApiClient {
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  post(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

const cookieOf = (response: Response): string => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

export async function apiLogin(baseUrl: string, username: string, password: string): Promise<ApiClient> {
  const session = await fetch(`${baseUrl}/auth/session`);
  const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
  const anonymous = cookieOf(session);
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { cookie: anonymous, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const headers = { cookie: cookieOf(login), 'x-csrf-token': csrf };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}
