#!/usr/bin/env bash
# The README's main job: installs what is missing, starts Kafka, the S3 server, Mosquitto, the hub
# (consumers + API, chDB embedded), Airflow (scheduler, DAG processor, UI; in the background), one
# edge agent per simulated store (each its own SQLite and config, its Kafka traffic and model downloads through its own WAN proxies) and the POS simulators, then says where to look.
# Ctrl-C, TERM or a closed terminal stops everything cleanly (also through `| tee`); data under
# .run/ is kept, so running it again resumes.
#   TILLGATE_STORES=3  TILLGATE_SPEED=60  TILLGATE_SEED=42  TILLGATE_SKUS=300  bash deploy/local/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STORES=${TILLGATE_STORES:-3}
SPEED=${TILLGATE_SPEED:-60}
SEED=${TILLGATE_SEED:-42}
SKUS=${TILLGATE_SKUS:-300}
STACK="$TG_RUN/stack"
LOGS="$STACK/logs"
began=$(date +%s.%N)
mkdir -p "$LOGS" "$STACK/simulator"
[[ "$STORES" =~ ^[1-9][0-9]?$ ]] || tg_die "TILLGATE_STORES must be 1-99, got '$STORES'"

# TILLGATE_SKIP_SETUP=1 skips the install checks (all already installed, offline, or a dependency
# change in progress that `npm ci` would refuse).
[ "${TILLGATE_SKIP_SETUP:-0}" = 1 ] || bash "$TG_ROOT/deploy/local/setup.sh"
pids=()
started_services=()
airflow_job=""
# Stops what this run started, once, however the script ends: Ctrl-C, TERM, a closed terminal (HUP),
# a dead stdout pipe (PIPE: `stack.sh | tee log` loses tee to the same Ctrl-C), an error under set -e,
# or the end of the script. Exit status: 128 + the signal's number, or the script's own.
stop_all() {
  local status=${1:-$?}
  trap '' HUP INT TERM PIPE
  trap - EXIT
  # The terminal or pipe we print to may be gone: a write there must neither kill the clean-up
  # (SIGPIPE is ignored from here on) nor abort it (no set -e), and the children's output goes to a
  # log file, so a failed write cannot end a stop script half-way either.
  set +e
  local stop_log="$LOGS/stop.log"
  tg_log "stopping the local stack (log: $stop_log)"
  # Reverse start order: terminals first (they wait for their last acknowledgements), then the
  # agents (they flush what they can), the WAN proxies, the hub, and last the services.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "${pids[$i]}" 2>/dev/null
  done
  if [ -n "$airflow_job" ]; then
    kill -TERM "$airflow_job" 2>/dev/null
    bash "$TG_ROOT/deploy/local/airflow.sh" stop >>"$stop_log" 2>&1
  fi
  # Only the services this run started: a Kafka someone else was already using stays up.
  [ ${#started_services[@]} -eq 0 ] ||
    bash "$TG_ROOT/deploy/local/services.sh" down "${started_services[@]}" >>"$stop_log" 2>&1
  tg_log "stopped; data kept under $TG_RUN (run again to resume)"
  exit "$status"
}
trap 'stop_all 129' HUP
trap 'stop_all 130' INT
trap 'stop_all 141' PIPE
trap 'stop_all 143' TERM
trap 'stop_all' EXIT
for service in kafka s3proxy mosquitto; do
  bash "$TG_ROOT/deploy/local/$service.sh" status >/dev/null 2>&1 && continue
  # Counted before it starts: an interrupt during its start-up must still stop it.
  started_services+=("$service")
  bash "$TG_ROOT/deploy/local/$service.sh" start
done

# Airflow takes ~1 min to migrate its DB and report healthy: started in the background so the first POS
# events are not held up; it says so when it is ready (or where its log is when it is not).
# TILLGATE_AIRFLOW=0 leaves it out (the stack script's own tests, a machine without the Python venv).
if [ "${TILLGATE_AIRFLOW:-1}" != 0 ] && ! bash "$TG_ROOT/deploy/local/airflow.sh" status >/dev/null 2>&1; then
  (
    if bash "$TG_ROOT/deploy/local/airflow.sh" start >>"$LOGS/airflow-start.log" 2>&1; then
      tg_log "airflow healthy: $(bash "$TG_ROOT/deploy/local/airflow.sh" status)"
    else
      tg_log "airflow failed to start; see $LOGS/airflow-start.log"
    fi
  ) &
  airflow_job=$!
fi

# run NAME COMMAND...: one background process with its log under .run/stack/logs.
run() {
  local name=$1
  shift
  (cd "$TG_ROOT" && exec node --import tsx "$@") >>"$LOGS/$name.log" 2>&1 &
  pids+=("$!")
}

store_id() { printf 'store-%03d' "$1"; }
secret() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
hash_password() { printf '%s' "$1" | node "$TG_ROOT/edge/src/cli.ts" hash-password; }

# One config per store, written once: passwords stay stable across runs, and so do SQLite paths, so
# a second run resumes. The agent's config holds only scrypt hashes of the logins; the terminals' side
# (the simulator) reads the passwords from terminal-passwords.json beside it. A config from before
# hashed passwords (plain "password" keys, now refused) is written again.
catalog="$STACK/catalog.txt"
[ -f "$catalog" ] || node --import tsx "$TG_ROOT/simulators/src/cli.ts" catalog --seed "$SEED" --skus "$SKUS" --out "$catalog"
wan_flags=()
agent_flags=()
for n in $(seq 1 "$STORES"); do
  id=$(store_id "$n")
  dir="$STACK/$id"
  config="$dir/agent.json"
  wan_port=$((TG_STACK_WAN_BASE_PORT + n))
  s3_wan_port=$((TG_STACK_WAN_S3_BASE_PORT + n))
  wan_flags+=(--store "$id=$wan_port,$s3_wan_port")
  agent_flags+=(--agent-config "$config")
  # A config from before the model downloads crossed the WAN link (no updater tunnel) is written again.
  [ -f "$config" ] && grep -q passwordHash "$config" && grep -q "127.0.0.1:$s3_wan_port" "$config" && continue
  mkdir -p "$dir/data"
  terminals="" passwords=""
  for t in pos-01 pos-02 pos-03 pos-04 bo-01 door-01; do
    password=$(secret)
    terminals+="${terminals:+, }{ \"id\": \"$t\", \"passwordHash\": \"$(hash_password "$password")\" }"
    passwords+="${passwords:+, }\"$t\": \"$password\""
  done
  (umask 077 && echo "{ $passwords }" >"$dir/terminal-passwords.json")
  cat >"$config" <<JSON
{
  "storeId": "$id",
  "dataDir": "$dir/data",
  "mqtt": {
    "mode": "embedded",
    "host": "127.0.0.1",
    "port": $((TG_STACK_MQTT_BASE_PORT + n)),
    "terminals": [$terminals],
    "displays": [{ "id": "display-01", "passwordHash": "$(hash_password "$(secret)")" }]
  },
  "intake": { "catalogFile": "$catalog" },
  "kafka": {
    "brokers": ["127.0.0.1:$TG_KAFKA_PORT"],
    "tunnels": { "127.0.0.1:$TG_KAFKA_PORT": "127.0.0.1:$wan_port" }
  },
  "updater": {
    "download": { "tunnels": { "127.0.0.1:$TG_S3_PORT": "127.0.0.1:$s3_wan_port" } }
  },
  "heartbeat": { "intervalMs": 5000 },
  "status": { "host": "127.0.0.1", "port": $((TG_STACK_STATUS_BASE_PORT + n)) }
}
JSON
  chmod 600 "$config"
done

# One dashboard admin, created on the first run; its generated password is kept (mode 0600) so every
# run can print the login again. More users: npx tsx hub/src/cli.ts user add <name> --role ...
admin_login="$STACK/admin-login.txt"
if [ ! -s "$admin_login" ]; then
  (umask 077 && cd "$TG_ROOT" && node --import tsx hub/src/cli.ts user add admin --role admin >"$admin_login") ||
    tg_die "cannot create the dashboard admin (is there an 'admin' in .run/hub/users.json without $admin_login? remove it: npx tsx hub/src/cli.ts user remove admin)"
fi
read -r admin_user admin_password <"$admin_login"

# The agents below beat every 5 s: a silent store turns red after 5 s + 5 s margin.
export TILLGATE_HUB__API__ONLINE_WITHIN_SECONDS=10
tg_log "starting the hub (consumers + API; log: $LOGS/hub.log)"
TILLGATE_HUB__API__WAREHOUSE_TOKEN=$(tg_warehouse_token) run hub hub/src/cli.ts run
tg_wait_port hub "$TG_HUB_API_PORT" 180 "$LOGS/hub.log"

tg_log "starting the WAN proxies (control: http://127.0.0.1:$TG_WAN_CONTROL_PORT/links)"
run wan simulators/src/cli.ts wan serve "${wan_flags[@]}" --upstream "127.0.0.1:$TG_KAFKA_PORT" \
  --s3-upstream "127.0.0.1:$TG_S3_PORT" --control-port "$TG_WAN_CONTROL_PORT"
tg_wait_port wan "$TG_WAN_CONTROL_PORT" 60 "$LOGS/wan.log"

for n in $(seq 1 "$STORES"); do
  id=$(store_id "$n")
  tg_log "starting edge agent $id (log: $LOGS/$id.log)"
  run "$id" edge/src/cli.ts start --config "$STACK/$id/agent.json"
done
for n in $(seq 1 "$STORES"); do
  id=$(store_id "$n")
  tg_wait_port "$id" $((TG_STACK_STATUS_BASE_PORT + n)) 120 "$LOGS/$id.log"
done

tg_log "starting the POS simulators ($STORES stores, ${SPEED}x; log: $LOGS/simulator.log)"
run simulator simulators/src/cli.ts live "${agent_flags[@]}" --seed "$SEED" --skus "$SKUS" \
  --from now-72h --fast-until now-12h --speed "$SPEED" \
  --state "$STACK/simulator/state.json" --ground-truth "$STACK/simulator/ground-truth.jsonl"

# Time from the command to the first POS event in ClickHouse: the ClickHouse consumer group commits
# an offset of sales-transactions only after the rows are inserted.
# Read with the CLI (straight from Kafka), since the API needs a login.
first_event() {
  (cd "$TG_ROOT" && node --import tsx hub/src/cli.ts lag 2>/dev/null) | node -e '
    let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
      let groups = []; try { ({ groups = [] } = JSON.parse(text)); } catch {}
      const ok = groups.some((g) => g.groupId.endsWith("clickhouse") && g.partitions.some((p) =>
        p.topic.endsWith("sales-transactions") && p.committed !== null && p.committed !== "0"));
      process.exit(ok ? 0 : 1);
    });'
}
for _ in $(seq 1 300); do first_event && break; sleep 1; done
if first_event; then
  elapsed=$(awk "BEGIN { print $(date +%s.%N) - $began }")
  printf '{"first_event_in_clickhouse_s": %.1f, "at": "%s"}\n' "$elapsed" "$(date -u +%FT%TZ)" >"$STACK/first-event.json"
  first="first POS event in ClickHouse ${elapsed%.*}s after the command"
else
  first="no POS event reached ClickHouse within 5 minutes; see $LOGS/"
fi

{
  echo
  echo "tillgate local stack is up ($first):"
  echo "  dashboard      http://127.0.0.1:$TG_HUB_API_PORT/   login: $admin_user / $admin_password"
  echo "  hub API        http://127.0.0.1:$TG_HUB_API_PORT/api/fleet   /api/alerts   /api/lag (after login)   /health"
  for n in $(seq 1 "$STORES"); do
    echo "  $(store_id "$n") agent  http://127.0.0.1:$((TG_STACK_STATUS_BASE_PORT + n))/status   MQTT 127.0.0.1:$((TG_STACK_MQTT_BASE_PORT + n))"
  done
  echo "  WAN chaos      npx tsx simulators/src/cli.ts wan cut store-002   (restore store-002 | status)"
  echo "  Airflow UI     http://127.0.0.1:$TG_AIRFLOW_PORT   login admin / $(sed -n 's/.*"admin": *"\([^"]*\)".*/\1/p' "$TG_RUN/airflow/stack/admin-password.json" 2>/dev/null)   (CLI: bash deploy/local/airflow.sh cli dags list)"
  echo "  ground truth   $STACK/simulator/ground-truth.jsonl"
  echo "  logs           $LOGS/"
  echo "  Kafka 127.0.0.1:$TG_KAFKA_PORT  S3 http://127.0.0.1:$TG_S3_PORT  Mosquitto 127.0.0.1:$TG_MOSQUITTO_PORT"
  echo "Press Ctrl-C to stop everything (data is kept; run again to resume)."
} >&2
# `sleep & wait` so a TERM to this script runs the trap at once.
while true; do
  sleep 3600 &
  wait $!
done
