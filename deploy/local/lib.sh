# shellcheck shell=bash
# Shared helpers for the deploy/local scripts. Source it; do not run it.
# Layout:
#   $TG_CACHE  (~/.cache/tillgate)  downloads and builds, keyed by version; survives fresh clones
#   $TG_RUN    (<repo>/.run)        data, logs and pid files of the running local services
set -euo pipefail
TG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TG_CACHE="${TILLGATE_CACHE:-$HOME/.cache/tillgate}"
TG_RUN="${TILLGATE_RUN:-$TG_ROOT/.run}"
# ports.env holds defaults: a variable already set in the environment wins, so tests can start a
# second instance on a free port and CI can move a port that is taken.
# An untracked ports.local.env (same format) is read first, so one checkout can move its whole stack
# to other ports and run beside another clone's.
for ports_file in "$TG_ROOT/deploy/local/ports.local.env" "$TG_ROOT/deploy/local/ports.env"; do
  [ -f "$ports_file" ] || continue
  while IFS='=' read -r key value; do
    case "$key" in TG_*) [ -n "${!key:-}" ] || export "$key=$value" ;; esac
  done <"$ports_file"
done
# Derived port (ports.env): Kafka's SASL_SSL listener beside its plain one.
export TG_KAFKA_SASL_PORT="${TG_KAFKA_SASL_PORT:-$((TG_KAFKA_PORT + 2))}"
mkdir -p "$TG_CACHE" "$TG_RUN"
# shellcheck source=deploy/local/node-env.sh
source "$TG_ROOT/deploy/local/node-env.sh"

tg_log() { printf '[tillgate %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
tg_die() { printf '[tillgate] ERROR: %s\n' "$*" >&2; exit 1; }

# tg_wait_port NAME PORT TIMEOUT_S LOGFILE: wait until 127.0.0.1:PORT accepts TCP, or fail naming the
# service and its log so the user knows where to look.
tg_wait_port() {
  local name=$1 port=$2 timeout=$3 logfile=$4 waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    if [ "$waited" -ge "$timeout" ]; then
      tg_log "$name did not become ready on 127.0.0.1:$port within ${timeout}s; last log lines:"
      tail -n 20 "$logfile" >&2 || true
      tg_die "$name failed to start; log: $logfile"
    fi
  done
}

# tg_keep_newest COUNT FILE...: delete all but the COUNT newest of FILE... (a glob's matches). An
# unmatched glob passes itself: only existing files go to ls, since a failing ls under pipefail + set -e
# ended a fresh machine's setup right after its first npm install, without a word.
tg_keep_newest() {
  local count=$1 file files=()
  shift
  for file in "$@"; do [ -e "$file" ] && files+=("$file"); done
  [ ${#files[@]} -gt "$count" ] || return 0
  ls -t -- "${files[@]}" | tail -n +$((count + 1)) | xargs -r -d '\n' rm -f --
}

# tg_pid_alive PIDFILE: true when the pid file names a live process.
tg_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# tg_stop_pid NAME PIDFILE: TERM, wait up to 20 s, then KILL.
tg_stop_pid() {
  local name=$1 pidfile=$2 pid
  if ! tg_pid_alive "$pidfile"; then rm -f "$pidfile"; return 0; fi
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  tg_log "$name stopped"
}

# tg_require_free_port NAME PORT LOGFILE: refuse to start when something else already listens on the
# port; otherwise the readiness probe would talk to that other process and report a false "ready".
tg_require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    tg_die "$1 cannot start: 127.0.0.1:$2 is already in use by another process; log: $3"
  fi
}

# tg_wait_ready NAME TIMEOUT_S LOGFILE ALIVE_FN PROBE...: wait until the PROBE command succeeds (a real
# request to the service, not just an open port). Fails at once when ALIVE_FN says the process died,
# and at the timeout otherwise, naming the service and its log either way.
tg_wait_ready() {
  local name=$1 timeout=$2 logfile=$3 alive=$4 deadline
  shift 4
  deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! "$alive"; then
      tail -n 20 "$logfile" >&2 || true
      tg_die "$name exited during start-up; log: $logfile"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$logfile" >&2 || true
      tg_die "$name did not become ready within ${timeout}s; log: $logfile"
    fi
    sleep 1
  done
}

# tg_warehouse_token: the bearer token of the hub's /warehouse/* routes on this checkout's stack (the
# Airflow DAGs' path to the hub's embedded ClickHouse). Made once under .run, read by stack.sh (hub) and
# airflow.sh (tasks).
tg_warehouse_token() {
  local file="$TG_RUN/warehouse-token"
  [ -s "$file" ] || (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
  cat "$file"
}
