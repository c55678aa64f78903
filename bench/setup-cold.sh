#!/usr/bin/env bash
# Fresh-machine timings (issue 13): a fresh clone of this checkout's HEAD with EMPTY caches of its own,
# so every download and build happens, while the shared ~/.cache/tillgate (other checkouts, CI) is
# never read or touched:
#   TILLGATE_CACHE    (deploy/local/lib.sh, node-env.sh: Node runtime, node_modules archive, uv, Maven)
#   npm_config_cache  (npm's own tarball cache, ~/.npm otherwise)
#   PIP_CACHE_DIR     (the pip that bootstraps uv)
# all under one scratch directory, removed at the end.
#   stack   `bash deploy/local/stack.sh` in the clone: its setup.sh step times every component (node,
#           dashboard, python, kafka, s3proxy, mosquitto, chromium: the "setup: X ready in Ns" lines),
#           stack_seconds = command to the first POS event in ClickHouse (the stack's first-event.json),
#           airflow_seconds = command to Airflow healthy (started in the background by the stack);
#           then the stack is stopped with TERM
#   apt     mosquitto + mosquitto-clients and chromium are Debian packages, installed system-wide here,
#           so setup finds them and takes ~0 s: timed instead by installing them into a fresh Debian 12
#           minbase root (the install test's cached debootstrap, unpacked into the scratch dir) with
#           systemd-nspawn, apt lists and archives empty
#   tests   `bash test/run-all.sh` start to end, from an empty cache again (its last line is kept)
# Writes bench/results/setup-cold.json; a run of some modes keeps the other modes' figures in it.
#   nice -n 10 bash bench/setup-cold.sh [stack] [apt] [tests]   (default: stack apt; tests is 15-20 min
#   of the whole suite and is run only when named)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(stack apt)
wants() { [[ " ${modes[*]} " == *" $1 "* ]]; }
scratch=$(mktemp -d /tmp/tg-setup-cold-XXXX)
trap 'rm -rf "$scratch"' EXIT
export TILLGATE_CACHE="$scratch/cache" npm_config_cache="$scratch/npm-cache" PIP_CACHE_DIR="$scratch/pip-cache"
unset TILLGATE_RUN
# Ports of their own, so a developer's running stack is not disturbed.
export TG_KAFKA_PORT=24592 TG_KAFKA_CONTROLLER_PORT=24593 TG_S3_PORT=23833 TG_MOSQUITTO_PORT=17383 \
  TG_HUB_API_PORT=24200 TG_STACK_MQTT_BASE_PORT=17400 TG_STACK_STATUS_BASE_PORT=24210 \
  TG_STACK_WAN_BASE_PORT=24620 TG_STACK_WAN_S3_BASE_PORT=24720 TG_WAN_CONTROL_PORT=24620 TG_AIRFLOW_PORT=24280
log() { printf '[setup-cold %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# Every wait below is bounded; on a timeout the figure stays null and the log says what it waited for.
STACK_LIMIT_S=${TG_SETUP_COLD_STACK_LIMIT_S:-3600}
AIRFLOW_LIMIT_S=${TG_SETUP_COLD_AIRFLOW_LIMIT_S:-600} # after the first event
# The shared machine's 1-minute load average through the stack run: min / mean / max of the samples.
load_samples=()
sample_load() { [ $((SECONDS % 10)) = 0 ] && load_samples+=("$(cut -d' ' -f1 /proc/loadavg)"); return 0; }
load_stats() { printf '%s\n' "${load_samples[@]:-0}" | python3 -c 'import json,sys; v=[float(x) for x in sys.stdin.read().split()]; print(json.dumps({"min": min(v), "mean": round(sum(v)/len(v), 1), "max": max(v), "samples": len(v)}))'; }
results="$scratch/results.json"
echo '{}' >"$results"
# put KEY JSON_VALUE: one figure into the run's results.
put() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d[sys.argv[2]]=json.loads(sys.argv[3]); json.dump(d,open(sys.argv[1],"w"))' "$results" "$1" "$2"; }

if wants stack; then
  git clone -q "$root" "$scratch/stack-clone"
  stack_log="$scratch/stack.log"
  began=$(date +%s)
  (cd "$scratch/stack-clone" && exec setsid bash deploy/local/stack.sh) >"$stack_log" 2>&1 &
  stack_pid=$!
  first="$scratch/stack-clone/.run/stack/first-event.json"
  stack_seconds=null airflow_seconds=null
  while [ $(($(date +%s) - began)) -lt "$STACK_LIMIT_S" ] && kill -0 "$stack_pid" 2>/dev/null; do
    [ -s "$first" ] && break
    sample_load
    sleep 1
  done
  if [ -s "$first" ]; then
    stack_seconds=$(sed -n 's/.*"first_event_in_clickhouse_s": \([0-9.]*\).*/\1/p' "$first")
    # Airflow starts in the background once the services are up; wait (from now) for its verdict too.
    waited_from=$(date +%s)
    while [ $(($(date +%s) - waited_from)) -lt "$AIRFLOW_LIMIT_S" ] && kill -0 "$stack_pid" 2>/dev/null; do
      healthy=$(sed -n 's/^\[tillgate \([0-9:]*\)\] airflow healthy.*/\1/p' "$stack_log" | head -n 1)
      # The line's own clock time, not when this loop saw it (that is after the first event).
      if [ -n "$healthy" ]; then
        at=$(date -d "$(date -d "@$began" +%F) $healthy" +%s)
        [ "$at" -lt "$began" ] && at=$((at + 86400))
        airflow_seconds=$((at - began))
        break
      fi
      grep -q 'airflow failed' "$stack_log" && break
      sleep 1
    done
    [ "$airflow_seconds" = null ] && log "airflow not healthy within ${AIRFLOW_LIMIT_S}s of the first event (see $stack_log)"
  else
    log "no first event in ClickHouse within ${STACK_LIMIT_S}s or the stack exited; last lines of $stack_log:"
    tail -n 30 "$stack_log" >&2
  fi
  kill -TERM -- "-$stack_pid" 2>/dev/null || kill -TERM "$stack_pid" 2>/dev/null
  for _ in $(seq 1 120); do kill -0 "$stack_pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$stack_pid" 2>/dev/null && { log "stack did not stop within 120 s of TERM: KILL"; kill -KILL -- "-$stack_pid" 2>/dev/null; }
  wait "$stack_pid" 2>/dev/null
  # The setup step's own per-component lines: "[tillgate hh:mm:ss] setup: node ready in 312s".
  components=$(sed -n 's/.*setup: \([a-z0-9]*\) ready in \([0-9]*\)s.*/"\1": \2/p' "$stack_log" | paste -sd, -)
  put stack_seconds "$stack_seconds"
  put airflow_seconds "$airflow_seconds"
  put setup_component_seconds "{${components}}"
  put stack_load_average_1m "$(load_stats)"
  put stack_cache_bytes "$(du -sb "$TILLGATE_CACHE" "$npm_config_cache" "$PIP_CACHE_DIR" 2>/dev/null | awk '{s += $1} END {print s + 0}')"
  log "stack: first event in ClickHouse after ${stack_seconds}s, airflow healthy after ${airflow_seconds}s; setup {${components}} (log kept: $root/.run/setup-cold-stack.log)"
  mkdir -p "$root/.run" && cp "$stack_log" "$root/.run/setup-cold-stack.log"
  rm -rf "$scratch/stack-clone"
fi

if wants apt; then
  base=$(ls -t "${TG_SETUP_COLD_DEBIAN_BASE:-$HOME/.cache/tillgate}"/debian12-minbase-*.tar 2>/dev/null | head -n 1)
  if [ -z "$base" ] || ! command -v systemd-nspawn >/dev/null; then
    log "apt: no Debian 12 minbase tarball (bash test/install/run.sh makes one) or no systemd-nspawn: skipped"
  else
    apt_root="$scratch/debian"
    mkdir -p "$apt_root" && tar -C "$apt_root" -xf "$base"
    rm -rf "$apt_root"/var/lib/apt/lists/* "$apt_root"/var/cache/apt/archives/*.deb
    in_root() { timeout 900 systemd-nspawn -q -D "$apt_root" --register=no --keep-unit --pipe "$@" </dev/null; }
    # apt_time NAME PACKAGES...: seconds for apt-get install of the packages in the fresh root.
    apt_time() {
      local name=$1 t0 status
      shift
      t0=$(date +%s)
      in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$scratch/apt.log" 2>&1
      status=$?
      if [ "$status" = 0 ]; then echo $(($(date +%s) - t0)); else log "apt: $name failed ($status); log tail:"; tail -n 10 "$scratch/apt.log" >&2; echo null; fi
    }
    t0=$(date +%s)
    if in_root apt-get update >>"$scratch/apt.log" 2>&1; then
      apt_update=$(($(date +%s) - t0))
      # As deploy/local/mosquitto.sh and chromium.sh install them (recommends included).
      put apt_seconds "{\"update\": $apt_update, \"mosquitto\": $(apt_time mosquitto mosquitto mosquitto-clients), \"chromium\": $(apt_time chromium chromium)}"
      put apt_archive_bytes "$(du -sb "$apt_root/var/cache/apt/archives" | cut -f1)"
    else
      log "apt: apt-get update in the fresh root failed; log tail:"; tail -n 10 "$scratch/apt.log" >&2
    fi
    log "apt: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("apt_seconds"))' "$results")"
    rm -rf "$apt_root"
  fi
fi

if wants tests; then
  rm -rf "$TILLGATE_CACHE" "$npm_config_cache" "$PIP_CACHE_DIR" # the tests start from an empty cache too
  git clone -q "$root" "$scratch/tests-clone"
  began=$(date +%s)
  (cd "$scratch/tests-clone" && timeout 3600 bash test/run-all.sh >"$scratch/tests.log" 2>&1)
  put tests_seconds "$(($(date +%s) - began))"
  # The suite's own "N passed, N failed" line; the services' stop messages come after it.
  put tests_result "$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$scratch/tests.log" | tail -n 1 | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')"
  mkdir -p "$root/.run" && cp "$scratch/tests.log" "$root/.run/setup-cold-tests.log"
fi

# Merge into the committed file: figures of the modes not run this time are kept.
out="$root/bench/results/setup-cold.json"
python3 - "$out" "$results" "${modes[*]}" <<'PY'
import json, os, sys, datetime
out, results, modes = sys.argv[1], sys.argv[2], sys.argv[3]
doc = json.load(open(out)) if os.path.exists(out) else {}
doc.update(json.load(open(results)))
load = open('/proc/loadavg').read().split()[0]
mem = int(next(l for l in open('/proc/meminfo') if l.startswith('MemTotal')).split()[1]) // 1048576
doc.update({
    'name': 'setup-cold',
    'what': 'fresh clone + empty caches of its own (TILLGATE_CACHE, npm, pip): seconds of every set-up step and of the README commands; lower is better',
    'unit': 's',
    'value': doc.get('stack_seconds'),
    'goal': {'stack_seconds_at_most': 600, 'tests_seconds_at_most': 1200},
    'runs': 1,
    'command': 'nice -n 10 bash bench/setup-cold.sh [stack] [apt] [tests]',
    'at': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
    'machine': f'{os.cpu_count()} cores, {mem} GiB (shared)',
})
doc.setdefault('load_average_1m', {})[modes.replace(' ', '+')] = float(load)
json.dump(doc, open(out, 'w'), indent=2)
open(out, 'a').write('\n')
PY
log "wrote $out"
