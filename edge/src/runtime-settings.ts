/**
 * How the agent process is started on a store PC (service units, tests that spawn it, benchmarks):
 * the memory budget of MISSION.md "Bounded resources". Measured with bench/edge-rss.ts: the JS heap
 * holds ~40 MB with 50,000 SKUs (their state lives in SQLite), so a 96 MB old space leaves 2x headroom
 * and makes V8 collect before growing; most of the rest of RSS is native (onnxruntime, SQLite, the
 * tsx loader), where glibc's per-thread malloc arenas inflate RSS unless capped. An 8 MB young
 * generation: at 2 MB the scavenger took 29% of the agent's CPU under intake load (profiled), at 8 MB
 * intake ran ~18% faster for ~20 MB more RSS. Exceeding the heap cap ends the process; the service
 * manager restarts it and nothing acknowledged is lost.
 */
export const agentRuntime = {
  nodeArgs: ['--max-old-space-size=96', '--max-semi-space-size=8'],
  env: { MALLOC_ARENA_MAX: '2' },
} as const;
