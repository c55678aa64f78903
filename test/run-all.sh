#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, starts the real local services,
# runs lint + typecheck, vitest and pytest, stops the services, and ends with the line
# "N passed, N failed" totalled over vitest and pytest.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/.run/test-results"
rm -rf "$results" && mkdir -p "$results"

bash deploy/local/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
# Every test runs on the project's Node 24 runtime that setup installed.
# shellcheck source=deploy/local/node-env.sh
source deploy/local/node-env.sh
trap 'bash deploy/local/services.sh down' EXIT
bash deploy/local/services.sh up || { echo "services failed to start"; echo "0 passed, 1 failed"; exit 1; }

gate_failed=0
echo "== lint (biome)"; npx biome check . || gate_failed=1
echo "== typecheck (tsc)"; { npx tsc -p tsconfig.json && npx tsc -p hub/dashboard/tsconfig.json; } || gate_failed=1
echo "== lint (ruff)"; { .venv/bin/ruff check . && .venv/bin/ruff format --check .; } || gate_failed=1

echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
vitest_rc=$?

echo "== pytest"
bash test/run-pytest.sh --junitxml="$results/pytest.xml"
pytest_rc=$?

node test/count-results.mjs "$results/vitest.json" "$results/pytest.xml"
counted_rc=$?
if [ "$gate_failed" -ne 0 ]; then echo "lint or typecheck failed (see above)"; fi
[ "$vitest_rc" -eq 0 ] && [ "$pytest_rc" -eq 0 ] && [ "$counted_rc" -eq 0 ] && [ "$gate_failed" -eq 0 ]
