/**
 * Fault injection for the crash and stall tests (test/hub). `TILLGATE_HUB_CRASH_POINT=<point>:<n>`
 * kills this process with SIGKILL the n-th time it passes <point>, so "killed between insert and
 * offset commit" is deterministic instead of a race with a timer. `TILLGATE_HUB_STALL_POINT=<point>:<n>`
 * stops it there with a real SIGSTOP (a GC pause, a swapped-out or frozen VM) until someone sends
 * SIGCONT. Unset in production: then each is one string comparison.
 */
export type CrashPointName = 'after-clickhouse-insert' | 'after-lake-upload';
export type StallPointName = 'before-clickhouse-insert';

function armed(variable: string): (name: string) => boolean {
  const [configured, times] = (process.env[variable] ?? '').split(':');
  let remaining = Number(times ?? '1') || 1;
  return (name) => {
    if (configured !== name) return false;
    remaining -= 1;
    return remaining === 0;
  };
}

const crashHere = armed('TILLGATE_HUB_CRASH_POINT');
const stallHere = armed('TILLGATE_HUB_STALL_POINT');

export function crashPoint(name: CrashPointName): void {
  if (crashHere(name)) process.kill(process.pid, 'SIGKILL');
}

export function stallPoint(name: StallPointName): void {
  if (stallHere(name)) process.kill(process.pid, 'SIGSTOP');
}
