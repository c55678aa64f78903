#!/usr/bin/env bash
# The pytest step of test/run-all.sh: runs the project's pytest with the given arguments and fails
# when it collected nothing (pytest's exit 5). An empty run must not pass as green: it means the
# Python suite went missing or its collection broke (CI treats "ran no test" as a finding, too).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/.venv/bin/python" -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: the Python suite is missing or its collection broke" >&2
fi
exit "$rc"
