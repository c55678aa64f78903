#!/usr/bin/env bash
# e2e-alerts: the end-to-end stores -> WAN cut -> hub test scores the edge's alerts against the
# simulator's ground truth; this records its figure as bench/results/e2e-alerts.json. A plain test run
# writes the same figure under .run/e2e/ instead, so it never rewrites the committed one.
#   npm run bench -- e2e-alerts      (about 5-10 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
TILLGATE_E2E_ALERTS_RESULT="$root/bench/results/e2e-alerts.json" npx vitest run test/e2e/stores-wan-cut.test.ts
