import { readFileSync } from 'node:fs';
import type { HubConfig } from '../config.ts';
import { HubError, hubErrorCodes } from '../errors.ts';

export const rolloutUsage = `  rollout create --model M --version V [--key-id K] [--stores a,b,c] [--waves 1,10%,100%]
                 [--gate-seconds N] [--failure-threshold F] [--swap-now] [--shadow-ms N] [--rollback]
                 [--alert-rate off|history_hours=168,max_ratio=3,min_alerts=5,min_sales=100]
                 [--cohort region=R,format=F] [--swap-window HH:MM-HH:MM[@Time/Zone]]
  rollout list | status ID | pause ID | resume ID | abort ID
                                  staged model rollouts through the running hub's API; logs in as
                                  --user (or $TILLGATE_HUB_USER) with the password on stdin
                                  (--password-stdin) or in $TILLGATE_HUB_PASSWORD`;

export interface RolloutArgs {
  action: string | undefined;
  id: string | undefined;
  url?: string | undefined;
  user?: string | undefined;
  passwordStdin: boolean;
  model?: string | undefined;
  version?: string | undefined;
  keyId?: string | undefined;
  stores?: string | undefined;
  waves?: string | undefined;
  gateSeconds?: string | undefined;
  failureThreshold?: string | undefined;
  /** "off", or the gate's bounds as key=value,... (history_hours, max_ratio, min_alerts, min_sales). */
  alertRate?: string | undefined;
  /** Fleet-registry labels, region=...,format=... */
  cohort?: string | undefined;
  /** HH:MM-HH:MM, optionally @Time/Zone (else each store's own). */
  swapWindow?: string | undefined;
  swapNow: boolean;
  shadowMs?: string | undefined;
  rollback: boolean;
}

/** `tillgate-hub rollout ...`: the same API calls the dashboard makes, as a logged-in user with CSRF. */
export async function rolloutCommand(config: HubConfig, args: RolloutArgs): Promise<string> {
  const base = args.url ?? `http://${config.api.host}:${config.api.port}`;
  const user = args.user ?? process.env.TILLGATE_HUB_USER;
  const password = args.passwordStdin ? readFileSync(0, 'utf8').trim() : process.env.TILLGATE_HUB_PASSWORD;
  if (user === undefined || password === undefined) {
    throw new HubError(
      hubErrorCodes.usage,
      'rollout needs --user (or TILLGATE_HUB_USER) and --password-stdin (or TILLGATE_HUB_PASSWORD)',
    );
  }
  // Bad flags fail here, before a login is tried.
  const body = args.action === 'create' ? rolloutCreateBody(args) : null;
  const call = await loggedIn(base, user, password);
  switch (args.action) {
    case 'create':
      return call('POST', '/api/rollouts', body);
    case 'list':
      return call('GET', '/api/rollouts');
    case 'status':
      return call('GET', `/api/rollouts/${need(args.id)}`);
    case 'pause':
    case 'resume':
    case 'abort':
      return call('POST', `/api/rollouts/${need(args.id)}/${args.action}`);
    default:
      throw new HubError(
        hubErrorCodes.usage,
        `rollout takes create, list, status, pause, resume or abort, not "${args.action}"`,
      );
  }
}

/** The POST /api/rollouts body `rollout create` sends for its flags (the API validates it in full). */
export function rolloutCreateBody(args: RolloutArgs): Record<string, unknown> {
  if (args.model === undefined || args.version === undefined) {
    throw new HubError(hubErrorCodes.usage, 'rollout create needs --model and --version');
  }
  const number = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new HubError(hubErrorCodes.usage, `--${name} takes a number, not "${value}"`);
    return parsed;
  };
  const waves = args.waves
    ?.split(',')
    .map((entry) => (entry.endsWith('%') ? { share: Number(entry.slice(0, -1)) / 100 } : { stores: Number(entry) }));
  const body: Record<string, unknown> = {
    model: args.model,
    version: args.version,
    key_id: args.keyId,
    target: targetOf(args),
    waves,
    gate_seconds: number('gate-seconds', args.gateSeconds),
    failure_threshold: number('failure-threshold', args.failureThreshold),
    alert_rate: alertRateOf(args.alertRate, number),
    swap: args.swapNow ? 'now' : 'window',
    swap_window: swapWindowOf(args.swapWindow),
    shadow_ms: number('shadow-ms', args.shadowMs),
    rollback: args.rollback,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

function targetOf(args: RolloutArgs): Record<string, unknown> {
  if (args.stores !== undefined && args.cohort !== undefined) {
    throw new HubError(hubErrorCodes.usage, 'rollout create takes --stores or --cohort, not both');
  }
  if (args.stores !== undefined) return { stores: args.stores.split(',') };
  if (args.cohort === undefined) return { all: true };
  const cohort = Object.fromEntries(
    args.cohort.split(',').map((pair) => {
      const [label, value] = pair.split('=');
      if (label === undefined || value === undefined || label === '' || value === '') {
        throw new HubError(
          hubErrorCodes.usage,
          `--cohort takes label=value,... (region, format), not "${args.cohort}"`,
        );
      }
      return [label, value];
    }),
  );
  return { cohort };
}

function swapWindowOf(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d\d:\d\d)-(\d\d:\d\d)(?:@(.+))?$/.exec(value);
  if (match === null) {
    throw new HubError(hubErrorCodes.usage, `--swap-window takes HH:MM-HH:MM[@Time/Zone], not "${value}"`);
  }
  const [, from, to, zone] = match as unknown as [string, string, string, string | undefined];
  return zone === undefined ? { from, to } : { from, to, time_zone: zone };
}

function alertRateOf(
  value: string | undefined,
  number: (name: string, value: string | undefined) => number | undefined,
): Record<string, number | undefined> | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'off') return null;
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const [key, text] = pair.split('=');
      if (key === undefined || text === undefined || key === '') {
        throw new HubError(hubErrorCodes.usage, `--alert-rate takes off or key=value,..., not "${value}"`);
      }
      return [key, number(`alert-rate ${key}`, text)];
    }),
  );
}

const need = (id: string | undefined): string => {
  if (id === undefined) throw new HubError(hubErrorCodes.usage, 'name the rollout id (ro-...)');
  return id;
};

const cookieOf = (response: Response): string => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

async function loggedIn(base: string, user: string, password: string) {
  let session: Response;
  try {
    session = await fetch(`${base}/auth/session`);
  } catch (cause) {
    throw new HubError(
      hubErrorCodes.usage,
      `no hub API answers at ${base} (start it with tillgate-hub run, or pass --url)`,
      { cause },
    );
  }
  const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { cookie: cookieOf(session), 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  if (login.status !== 200)
    throw new HubError(hubErrorCodes.loginFailed, `login as ${user} failed: ${await login.text()}`);
  const headers = { cookie: cookieOf(login), 'x-csrf-token': csrf };
  return async (method: string, path: string, body?: unknown): Promise<string> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400)
      throw new HubError(hubErrorCodes.rollout, `${method} ${path}: ${response.status} ${text}`);
    return JSON.stringify(JSON.parse(text), null, 2);
  };
}
