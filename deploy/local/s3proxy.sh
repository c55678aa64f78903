#!/usr/bin/env bash
# Local S3 server (s3proxy over a filesystem backend): deploy/local/s3proxy.sh install|start|stop|status
# Production uses MinIO; both are reached only through the `minio` npm client (and chDB's s3()), so
# the S3 API is the contract. s3proxy comes as Maven Central jars: installed in seconds, up in ~3 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S3PROXY_VERSION=2.6.0
SRC="$TG_ROOT/deploy/local/s3proxy"
HOME_DIR="$TG_CACHE/s3proxy-$S3PROXY_VERSION"
LIBS="$HOME_DIR/libs"
DIR="$TG_RUN/s3proxy"
CONFIG="$DIR/s3proxy.properties"
LOG="$DIR/s3proxy.log"
PIDFILE="$DIR/s3proxy.pid"
READY_TIMEOUT_S=60

install_stamp() { cat "$SRC/pom.xml" <(echo "$S3PROXY_VERSION") | sha256sum | cut -d' ' -f1; }

install() {
  if [ "$(cat "$HOME_DIR/.complete" 2>/dev/null)" = "$(install_stamp)" ]; then return 0; fi
  command -v mvn >/dev/null || tg_die "s3proxy install needs Maven on PATH (Debian: apt-get install maven)"
  command -v java >/dev/null || tg_die "s3proxy needs Java 17+ on PATH"
  # One resolver at a time; the lock is held by a subshell so the server started later does not inherit it.
  (
    flock 9
    if [ "$(cat "$HOME_DIR/.complete" 2>/dev/null)" != "$(install_stamp)" ]; then resolve_jars; fi
  ) 9>"$TG_CACHE/s3proxy-$S3PROXY_VERSION.lock"
}

resolve_jars() {
  tg_log "installing s3proxy $S3PROXY_VERSION into $HOME_DIR (Maven repo $TG_CACHE/m2)"
  local tmp="$HOME_DIR.tmp.$$" out
  rm -rf "$tmp"
  if ! out=$(mvn -q -B -f "$SRC/pom.xml" -Ds3proxy.version="$S3PROXY_VERSION" -Dmaven.repo.local="$TG_CACHE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" 2>&1); then
    rm -rf "$tmp"
    printf '%s\n' "$out" | tail -n 30 >&2
    tg_die "s3proxy install failed: Maven could not resolve org.gaul:s3proxy:$S3PROXY_VERSION"
  fi
  # Fill a temporary dir and swap it in, so an interrupted install never looks complete.
  install_stamp >"$tmp/.complete"
  rm -rf "$HOME_DIR"
  mv "$tmp" "$HOME_DIR"
}

render() {
  mkdir -p "$DIR/data"
  (umask 077 && sed -e "s|@PORT@|$TG_S3_PORT|g" -e "s|@ACCESS_KEY@|$TG_S3_ACCESS_KEY|g" \
    -e "s|@SECRET_KEY@|$TG_S3_SECRET_KEY|g" -e "s|@DATA_DIR@|$DIR/data|g" \
    "$SRC/s3proxy.properties.template" >"$CONFIG")
}

# A signed ListBuckets with the local credentials (deploy/local/s3proxy/s3-probe.mjs).
s3_answers() {
  (cd "$TG_ROOT" && TG_S3_PORT=$TG_S3_PORT TG_S3_ACCESS_KEY=$TG_S3_ACCESS_KEY \
    TG_S3_SECRET_KEY=$TG_S3_SECRET_KEY timeout 10 node "$SRC/s3-probe.mjs" 2>/dev/null)
}

# A pid file can outlive its process and the pid be reused: check it is our server.
s3proxy_alive() { tg_pid_alive "$PIDFILE" && grep -qa 's3proxy' "/proc/$(cat "$PIDFILE")/cmdline"; }

start() {
  install
  if s3proxy_alive; then
    tg_log "s3proxy already running (pid $(cat "$PIDFILE"))"
    return 0
  fi
  [ -d "$TG_ROOT/node_modules/minio" ] || tg_die "s3proxy: the readiness probe needs the minio npm package; run deploy/local/node.sh install first"
  tg_require_free_port s3proxy "$TG_S3_PORT" "$LOG"
  render
  tg_log "starting s3proxy $S3PROXY_VERSION: S3 on 127.0.0.1:$TG_S3_PORT (log: $LOG)"
  # 256 MiB heap: objects stream to files, the heap holds only request state. Tier-1 JIT starts faster
  # and is plenty for loopback test traffic.
  setsid nohup java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    -Dlogback.configurationFile="$SRC/logback.xml" -cp "$LIBS/*" org.gaul.s3proxy.Main \
    --properties "$CONFIG" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local began=$SECONDS
  tg_wait_ready s3proxy "$READY_TIMEOUT_S" "$LOG" s3proxy_alive s3_answers
  tg_log "s3proxy ready in $((SECONDS - began))s (pid $(cat "$PIDFILE"))"
}

status() {
  if s3proxy_alive && s3_answers; then
    echo "s3proxy running (pid $(cat "$PIDFILE")), S3 on 127.0.0.1:$TG_S3_PORT"
  else
    echo "s3proxy not running (start: bash deploy/local/s3proxy.sh start)"
    return 3
  fi
}

# status exits 0 when running, 3 when stopped (as deploy/local/kafka.sh).
case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) tg_stop_pid s3proxy "$PIDFILE" ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
