#!/usr/bin/env bash
# Fresh machine timings of the README's two commands (issue 13): a fresh clone of this checkout's HEAD
# and an EMPTY cache (TILLGATE_CACHE in a scratch dir), so every download and build happens.
#   stack_seconds  `bash deploy/local/stack.sh` until the first POS event is in ClickHouse (the stack's
#                  own first-event.json), then the stack is stopped with TERM
#   tests_seconds  `bash test/run-all.sh` start to end (its "N passed, N failed" line is kept)
# Writes bench/results/setup-cold.json. Takes 15-40 min; run it on a quiet machine.
#   bash bench/setup-cold.sh [stack|tests|both]   (default both)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what=${1:-both}
scratch=$(mktemp -d /tmp/tg-setup-cold-XXXX)
export TILLGATE_CACHE="$scratch/cache"
# Ports of their own, so a developer's running stack is not disturbed.
export TG_KAFKA_PORT=24592 TG_KAFKA_CONTROLLER_PORT=24593 TG_S3_PORT=23833 TG_MOSQUITTO_PORT=17383 \
  TG_HUB_API_PORT=24200 TG_STACK_MQTT_BASE_PORT=17400 TG_STACK_STATUS_BASE_PORT=24210 \
  TG_STACK_WAN_BASE_PORT=24620 TG_WAN_CONTROL_PORT=24620 TG_AIRFLOW_PORT=24280
stack_seconds=null tests_seconds=null tests_line=null

if [ "$what" != tests ]; then
  git clone -q "$root" "$scratch/stack-clone"
  began=$(date +%s)
  (cd "$scratch/stack-clone" && setsid bash deploy/local/stack.sh >"$scratch/stack.log" 2>&1) &
  stack_pid=$!
  first="$scratch/stack-clone/.run/stack/first-event.json"
  for _ in $(seq 1 3600); do [ -s "$first" ] && break; kill -0 "$stack_pid" 2>/dev/null || break; sleep 1; done
  [ -s "$first" ] && stack_seconds=$(sed -n 's/.*"first_event_in_clickhouse_s": \([0-9.]*\).*/\1/p' "$first")
  kill -TERM -- "-$stack_pid" 2>/dev/null || kill -TERM "$stack_pid" 2>/dev/null
  wait "$stack_pid" 2>/dev/null
  echo "stack: first event in ClickHouse after ${stack_seconds}s (log $scratch/stack.log; $(($(date +%s) - began)) s with the stop)"
fi

if [ "$what" != stack ]; then
  rm -rf "$TILLGATE_CACHE" # the tests start from an empty cache too, not from the stack's downloads
  git clone -q "$root" "$scratch/tests-clone"
  began=$(date +%s)
  (cd "$scratch/tests-clone" && bash test/run-all.sh >"$scratch/tests.log" 2>&1)
  tests_seconds=$(($(date +%s) - began))
  tests_line="\"$(tail -n 1 "$scratch/tests.log")\""
  echo "tests: $tests_line in ${tests_seconds}s (log $scratch/tests.log)"
fi

mkdir -p "$root/bench/results"
cat >"$root/bench/results/setup-cold.json" <<JSON
{
  "name": "setup-cold",
  "what": "fresh clone + empty TILLGATE_CACHE: the README's two commands with every download and build",
  "unit": "s",
  "stack_seconds": $stack_seconds,
  "tests_seconds": $tests_seconds,
  "tests_result": $tests_line,
  "goal": { "stack_seconds_at_most": 600, "tests_seconds_at_most": 1200 },
  "runs": 1,
  "command": "bash bench/setup-cold.sh",
  "at": "$(date -u +%FT%TZ)",
  "machine": "$(nproc) cores, $(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1048576)) GiB",
  "load_average_1m": $(cut -d' ' -f1 /proc/loadavg)
}
JSON
echo "wrote $root/bench/results/setup-cold.json"
rm -rf "$scratch"
