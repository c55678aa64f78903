/**
 * Fault injection for the crash tests (test/hub): `TILLGATE_HUB_CRASH_POINT=<point>:<n>` kills this
 * process with SIGKILL the n-th time it passes <point>, so "killed between insert and offset commit"
 * is deterministic instead of a race with a timer. Unset in production: then this is one Map lookup.
 */
export type CrashPointName = 'after-clickhouse-insert' | 'after-lake-upload';

const [configured, times] = (process.env.TILLGATE_HUB_CRASH_POINT ?? '').split(':');
let remaining = Number(times ?? '1') || 1;

export function crashPoint(name: CrashPointName): void {
  if (configured !== name) return;
  remaining -= 1;
  if (remaining === 0) process.kill(process.pid, 'SIGKILL');
}
