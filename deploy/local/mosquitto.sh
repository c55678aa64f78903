#!/usr/bin/env bash
# Local Mosquitto with password + ACL auth: deploy/local/mosquitto.sh install|start|stop|status
# Our own instance (own config, data, log, pid under $TG_RUN/mosquitto); the Debian system service is
# never used or enabled, so a developer's own broker on 1883 is left alone.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$TG_RUN/mosquitto"
CONF="$DIR/mosquitto.conf"
LOG="$DIR/mosquitto.log"
PIDFILE="$DIR/mosquitto.pid"
TEMPLATES="$TG_ROOT/deploy/local/mosquitto"
READY_TIMEOUT_S=30

install() {
  if command -v mosquitto >/dev/null && command -v mosquitto_passwd >/dev/null \
    && command -v mosquitto_pub >/dev/null; then
    return 0
  fi
  tg_log "installing mosquitto and mosquitto-clients (apt)"
  # Another engineer or script may run apt at the same time: serialise on one lock and let dpkg wait.
  flock /tmp/tillgate-apt.lock bash -c '
    apt-get install -y -o DPkg::Lock::Timeout=300 mosquitto mosquitto-clients >/dev/null 2>&1 || {
      apt-get update -o DPkg::Lock::Timeout=300 >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 \
          mosquitto mosquitto-clients >/dev/null
    }' || tg_die "mosquitto: apt-get install mosquitto mosquitto-clients failed"
  # The package starts its system service on port 1883; we never use it, so keep it out of the way.
  if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
    systemctl disable --now mosquitto >/dev/null 2>&1 || true
  fi
}

render() {
  mkdir -p "$DIR/data"
  sed -e "s|@USER@|$(id -un)|g" -e "s|@DIR@|$DIR|g" -e "s|@PORT@|$TG_MOSQUITTO_PORT|g" \
    "$TEMPLATES/mosquitto.conf.template" >"$CONF"
  # The store layout for every store (+), then the local probe account: readiness checks, the
  # platform tests and the benchmark baseline, on topics no agent or terminal uses.
  {
    sed -e "s|@STORE@|+|g" -e "s|@AGENT_USER@|$TG_MQTT_AGENT_USER|g" "$TEMPLATES/acl.template"
    printf '\n# Local probe account (deploy/local only)\nuser %s\ntopic readwrite tillgate/_ready/#\ntopic readwrite tillgate/test/#\ntopic readwrite tillgate/+/bench/#\n' "$TG_MQTT_USER"
  } >"$DIR/acl"
  rm -f "$DIR/passwd"
  (umask 077 && touch "$DIR/passwd")
  mosquitto_passwd -b "$DIR/passwd" "$TG_MQTT_USER" "$TG_MQTT_PASSWORD"
  mosquitto_passwd -b "$DIR/passwd" "$TG_MQTT_AGENT_USER" "$TG_MQTT_AGENT_PASSWORD"
  local terminal
  for terminal in $TG_MQTT_TERMINALS; do mosquitto_passwd -b "$DIR/passwd" "$terminal" "$TG_MQTT_TERMINAL_PASSWORD"; done
}

# An authenticated publish/subscribe round trip: a retained message published with QoS 1 must come
# back to a fresh subscriber. A listening port alone would not prove the password file and ACL load.
round_trip() {
  local topic="tillgate/_ready/$$" payload="ready-$RANDOM" got
  local auth=(-h 127.0.0.1 -p "$TG_MOSQUITTO_PORT" -u "$TG_MQTT_USER" -P "$TG_MQTT_PASSWORD")
  mosquitto_pub "${auth[@]}" -q 1 -r -t "$topic" -m "$payload" 2>/dev/null || return 1
  got=$(mosquitto_sub "${auth[@]}" -q 1 -t "$topic" -C 1 -W 3 2>/dev/null) || return 1
  # An empty retained message clears the retained slot so readiness probes do not pile up.
  mosquitto_pub "${auth[@]}" -q 1 -r -n -t "$topic" 2>/dev/null || true
  [ "$got" = "$payload" ]
}

start() {
  install
  if tg_pid_alive "$PIDFILE"; then
    tg_log "mosquitto already running (pid $(cat "$PIDFILE"))"
    return 0
  fi
  tg_require_free_port mosquitto "$TG_MOSQUITTO_PORT" "$LOG"
  render
  tg_log "starting mosquitto on 127.0.0.1:$TG_MOSQUITTO_PORT (log: $LOG)"
  # Start-up errors (bad config, port taken) are printed before the log file opens: keep them with it.
  mosquitto -c "$CONF" -d 2>>"$LOG" || tg_die "mosquitto failed to start; log: $LOG"
  started_at=$SECONDS
  tg_wait_ready mosquitto "$READY_TIMEOUT_S" "$LOG" mosquitto_alive round_trip
  tg_log "mosquitto ready (pid $(cat "$PIDFILE"))"
}

# -d forks before the daemon writes its pid file: give it two seconds before a missing pid means dead.
started_at=0
mosquitto_alive() { tg_pid_alive "$PIDFILE" || [ $((SECONDS - started_at)) -lt 2 ]; }

status() {
  if tg_pid_alive "$PIDFILE" && round_trip; then
    echo "mosquitto running (pid $(cat "$PIDFILE")) on 127.0.0.1:$TG_MOSQUITTO_PORT"
  else
    echo "mosquitto not running (start: bash deploy/local/mosquitto.sh start)"
    return 3
  fi
}

# status exits 0 when running, 3 when stopped (as deploy/local/kafka.sh).
case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) tg_stop_pid mosquitto "$PIDFILE" ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
