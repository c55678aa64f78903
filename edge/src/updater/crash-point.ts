/**
 * Fault injection for the updater's kill -9 tests (test/edge/model-updater-crash.test.ts):
 * `TILLGATE_EDGE_CRASH_POINT=<point>` kills this process with SIGKILL when it reaches <point>, so
 * "killed between the rename and the SQLite transaction" is deterministic instead of a race with a
 * timer (`download-partial`: some of the model's bytes are in `<file>.part`, not all;
 * `watch-scoring`: the new model scores a batch in its post-swap watch, a model that crashes the
 * process). Unset in production: then this is one string comparison.
 */
export type UpdaterCrashPoint = 'download-partial' | 'swap-before-activate' | 'swap-after-activate' | 'watch-scoring';

const configured = process.env.TILLGATE_EDGE_CRASH_POINT ?? '';

export function crashPoint(name: UpdaterCrashPoint): void {
  if (configured === name) process.kill(process.pid, 'SIGKILL');
}
