#!/usr/bin/env bash
# Airflow 3 as a service of the local stack: deploy/local/airflow.sh install|start|stop|status|cli ARGS...
#   install  render $AIRFLOW_HOME/airflow.cfg, migrate the SQLite metadata DB, create the admin login (idempotent)
#   start    install, then the scheduler (LocalExecutor), the DAG processor and the API server / UI on
#            127.0.0.1:$TG_AIRFLOW_PORT; returns when /api/v2/monitor/health reports all three healthy
#   cli      any `airflow` command against this instance, e.g. `airflow.sh cli dags trigger model_training`
#
# Sized for a 2-core box shared with Kafka, the hub and the agents: untuned `airflow standalone` forked 32
# LocalExecutor workers and 4 API workers (1.1 GB PSS measured). Here: 2 executor workers, 1 API worker,
# 1 parsing process, files re-parsed every 60 s (bench/results/airflow-rss.json has the figure).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$TG_ROOT/.venv"
# The stack's own home; the tests' dag.test() runs use .run/airflow (conftest.py), so a pytest run never
# contends with the running scheduler for the SQLite file.
export AIRFLOW_HOME="$TG_RUN/airflow/stack"
LOGS="$AIRFLOW_HOME/logs"
SECRETS="$AIRFLOW_HOME/secrets.env"
PASSWORDS="$AIRFLOW_HOME/admin-password.json"
READY_TIMEOUT_S=180
COMPONENTS=(scheduler dag-processor api-server)
# DAG tasks import tillgate_models (the training pipeline) next to the dags/ folder Airflow adds itself.
export PYTHONPATH="$TG_ROOT/models${PYTHONPATH:+:$PYTHONPATH}"
export PYSPARK_PYTHON="$VENV/bin/python"
# What DAG tasks read (dags/tillgate_dags/settings.py): the stack's hub and its warehouse token. The S3
# lake and Kafka come from the TG_* ports lib.sh exported.
export TILLGATE_HUB_URL="${TILLGATE_HUB_URL:-http://127.0.0.1:$TG_HUB_API_PORT}"
TILLGATE_WAREHOUSE_TOKEN="${TILLGATE_WAREHOUSE_TOKEN:-$(tg_warehouse_token)}"
export TILLGATE_WAREHOUSE_TOKEN

# The model_training DAG signs releases with TG_MODEL_SIGNING_KEY. Production configures it (a secret
# file); the local stack makes a DEV key of its own once. Its public key is not put into any edge's
# trust list: an agent accepts these releases only if an operator pins the key (edge model.trustedKeys).
export TG_MODEL_SIGNING_KEY="${TG_MODEL_SIGNING_KEY:-$AIRFLOW_HOME/dev-model-signing.key}"
ensure_dev_signing_key() {
  [ -f "$TG_MODEL_SIGNING_KEY" ] && return 0
  [ "$TG_MODEL_SIGNING_KEY" = "$AIRFLOW_HOME/dev-model-signing.key" ] || tg_die "TG_MODEL_SIGNING_KEY=$TG_MODEL_SIGNING_KEY: no such key file"
  tg_log "creating the local stack's dev model-signing key $TG_MODEL_SIGNING_KEY (key id $("$VENV/bin/python" -m tillgate_models.signing_key create "$TG_MODEL_SIGNING_KEY" | head -n 1))"
}

airflow() { "$VENV/bin/airflow" "$@"; }

# Secrets shared by the three processes (the scheduler's task tokens are checked by the API server).
# Made once, kept across restarts so running task tokens and UI sessions stay valid.
ensure_secrets() {
  [ -f "$SECRETS" ] && return 0
  (umask 077 && {
    printf 'JWT_SECRET=%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
    printf 'API_SECRET_KEY=%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  } >"$SECRETS")
}

render_config() {
  local jwt_secret api_secret_key
  jwt_secret=$(sed -n 's/^JWT_SECRET=//p' "$SECRETS")
  api_secret_key=$(sed -n 's/^API_SECRET_KEY=//p' "$SECRETS")
  (umask 077 && sed -e "s|@AIRFLOW_HOME@|$AIRFLOW_HOME|g" -e "s|@DAGS_FOLDER@|$TG_ROOT/dags|g" \
    -e "s|@PORT@|$TG_AIRFLOW_PORT|g" -e "s|@JWT_SECRET@|$jwt_secret|g" \
    -e "s|@API_SECRET_KEY@|$api_secret_key|g" -e "s|@PASSWORDS_FILE@|$PASSWORDS|g" \
    "$TG_ROOT/deploy/local/airflow/airflow.cfg.template" >"$AIRFLOW_HOME/airflow.cfg")
}

# The admin login: SimpleAuthManager (Airflow 3's built-in manager; FAB is not installed) reads
# passwords from this JSON file and only generates one for users it lacks, so writing it first makes the
# password ours and stable across restarts.
ensure_admin() {
  [ -f "$PASSWORDS" ] && grep -q '"admin"' "$PASSWORDS" && return 0
  (umask 077 && printf '{"admin": "%s"}\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$PASSWORDS")
}

admin_password() { sed -n 's/.*"admin": *"\([^"]*\)".*/\1/p' "$PASSWORDS"; }

install() {
  [ -x "$VENV/bin/airflow" ] || bash "$TG_ROOT/deploy/local/python.sh" install
  mkdir -p "$AIRFLOW_HOME" "$LOGS"
  ensure_secrets
  ensure_admin
  ensure_dev_signing_key
  render_config
  # Idempotent: creates the schema on first use, upgrades it after an Airflow bump, else does nothing.
  airflow db migrate >>"$LOGS/install.log" 2>&1 || {
    tail -n 20 "$LOGS/install.log" >&2
    tg_die "airflow db migrate failed; log: $LOGS/install.log"
  }
}

pidfile() { echo "$AIRFLOW_HOME/$1.pid"; }

# running PID: alive and not a zombie (this machine's init does not reap orphans, and kill -0 succeeds on a
# zombie, so a stopped component would look alive until the stop timeout).
running() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat")" != Z ]; }

# A pid file can outlive its process and the pid be reused: check it is our airflow component.
component_alive() {
  local file
  file=$(pidfile "$1")
  [ -f "$file" ] && running "$(cat "$file")" && grep -qa "airflow" "/proc/$(cat "$file")/cmdline"
}

all_alive() {
  local component
  for component in "${COMPONENTS[@]}"; do component_alive "$component" || return 1; done
}

# Healthy = the API answers and reports the metadata DB, the scheduler and the DAG processor healthy.
healthy() {
  local health
  health=$(curl -fsS --max-time 5 "http://127.0.0.1:$TG_AIRFLOW_PORT/api/v2/monitor/health" 2>/dev/null) || return 1
  printf '%s' "$health" | "$VENV/bin/python" -c '
import json, sys
health = json.load(sys.stdin)
sys.exit(0 if all(health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler", "dag_processor")) else 1)'
}

start_component() {
  local component=$1
  shift
  if component_alive "$component"; then return 0; fi
  setsid nohup "$VENV/bin/airflow" "$component" "$@" >>"$LOGS/$component.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$component")"
}

start() {
  if all_alive && healthy; then
    tg_log "airflow already running: http://127.0.0.1:$TG_AIRFLOW_PORT (admin / $(admin_password))"
    return 0
  fi
  install
  component_alive api-server || tg_require_free_port airflow "$TG_AIRFLOW_PORT" "$LOGS/api-server.log"
  tg_log "starting airflow: scheduler, dag-processor, api-server on 127.0.0.1:$TG_AIRFLOW_PORT (logs: $LOGS)"
  local began=$SECONDS
  # The log server would take port 8793 for every checkout on the machine; the UI reads task logs from
  # the same local folder, so it is not needed.
  start_component scheduler --skip-serve-logs
  start_component dag-processor
  start_component api-server --host 127.0.0.1 --port "$TG_AIRFLOW_PORT" --workers 1
  tg_wait_ready airflow "$READY_TIMEOUT_S" "$LOGS/api-server.log" all_alive healthy
  tg_log "airflow ready in $((SECONDS - began))s: http://127.0.0.1:$TG_AIRFLOW_PORT (admin / $(admin_password))"
}

# Each component leads its own process group (setsid): TERM the group, so the executor workers and the
# task processes the scheduler forked go with it; KILL what is left after 30 s.
stop_component() {
  local component=$1 file pid
  file=$(pidfile "$component")
  if ! component_alive "$component"; then rm -f "$file"; return 0; fi
  pid=$(cat "$file")
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do running "$pid" || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$file"
  tg_log "airflow $component stopped"
}

stop() {
  local component
  for component in "${COMPONENTS[@]}"; do stop_component "$component"; done
}

status() {
  if all_alive && healthy; then
    echo "airflow running: http://127.0.0.1:$TG_AIRFLOW_PORT (admin / $(admin_password)); scheduler $(cat "$(pidfile scheduler)"), dag-processor $(cat "$(pidfile dag-processor)"), api-server $(cat "$(pidfile api-server)")"
  else
    echo "airflow not running (start: bash deploy/local/airflow.sh start)"
    return 3
  fi
}

# status exits 0 when running, 3 when stopped (as deploy/local/kafka.sh).
case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  cli)
    shift
    [ -f "$AIRFLOW_HOME/airflow.cfg" ] || install
    airflow "$@"
    ;;
  *) echo "usage: $0 install|start|stop|status|cli ARGS..." >&2; exit 2 ;;
esac
