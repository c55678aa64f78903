#!/usr/bin/env bash
# Local S3 server (SeaweedFS master + volume + filer + S3 in one `weed server` process):
#   deploy/local/seaweedfs.sh install|start|stop|status
# Production uses MinIO; both are reached only through the `minio` npm client, so the S3 API is the
# contract. SeaweedFS is built from the Go module proxy (the only source of it this machine reaches).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The one pseudo-version of the module known to be served; the old chrislusf/seaweedfs path is not.
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
BUILD_DIR="$TG_CACHE/seaweedfs-$SEAWEEDFS_VERSION"
WEED="$BUILD_DIR/bin/weed"
TEMPLATES="$TG_ROOT/deploy/local/seaweedfs"

DIR="$TG_RUN/seaweedfs"
CONFIG_DIR="$DIR/config"
LOG="$DIR/weed.log"
PIDFILE="$DIR/weed.pid"
READY_TIMEOUT_S=90

# gRPC ports default to HTTP port + 10000; spelled out so a clash shows up in this file, not at run time.
MASTER_GRPC_PORT=$((TG_SEAWEED_MASTER_PORT + 10000))
VOLUME_GRPC_PORT=$((TG_SEAWEED_VOLUME_PORT + 10000))
FILER_GRPC_PORT=$((TG_SEAWEED_FILER_PORT + 10000))
S3_GRPC_PORT=$((TG_S3_PORT + 10000))

install() {
  if [ -x "$WEED" ]; then return 0; fi
  command -v go >/dev/null || tg_die "seaweedfs: the Go toolchain is needed to build weed"
  mkdir -p "$BUILD_DIR"
  # One build at a time: a second caller waits, then finds the binary. The lock is held by a subshell
  # so the weed server started afterwards does not inherit it (and hold it for its whole life).
  (
    flock 9
    if [ ! -x "$WEED" ]; then build; fi
  ) 9>"$BUILD_DIR/build.lock" || exit 1
}

build() {
  # Module and build caches live beside the binary so an interrupted build resumes where it stopped.
  export GOPATH="$BUILD_DIR/gopath" GOMODCACHE="$BUILD_DIR/gopath/pkg/mod" GOCACHE="$BUILD_DIR/gocache"
  # -modcacherw: module files stay writable, so `rm -rf $TG_CACHE/seaweedfs-*` can clean up.
  export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -modcacherw"
  local module="github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" module_dir src="$BUILD_DIR/src" started=$SECONDS
  tg_log "building weed $SEAWEEDFS_VERSION (cold: ~10-15 min and ~4 GB of caches on 2 cores; once per machine)"
  module_dir=$(cd / && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$module_dir" ] || tg_die "seaweedfs: go mod download $module failed"
  # `go install module@version` refuses modules whose go.mod has replace directives, and seaweedfs has
  # one, so build it as the main module from a writable copy (the module cache is read-only). The
  # copy keeps one path so the build cache still hits after an interrupted build.
  rm -rf "$src"
  cp -r "$module_dir" "$src"
  chmod -R u+w "$src"
  (cd "$src" && go build -o "$WEED.tmp" ./weed) || tg_die "seaweedfs: go build of weed failed"
  mv "$WEED.tmp" "$WEED"
  # The binary is the cache key: the copied source and the ~2 GB build cache only serve a rebuild of
  # this same version, which never happens once the binary exists.
  rm -rf "$src" "$GOCACHE"
  tg_log "weed built in $((SECONDS - started))s: $WEED"
}

render() {
  mkdir -p "$DIR/data" "$CONFIG_DIR"
  cp "$TEMPLATES/master.toml" "$CONFIG_DIR/master.toml"
  (umask 077 && sed -e "s|@S3_ACCESS_KEY@|$TG_S3_ACCESS_KEY|g" -e "s|@S3_SECRET_KEY@|$TG_S3_SECRET_KEY|g" \
    "$TEMPLATES/s3.json.template" >"$CONFIG_DIR/s3.json")
}

# A signed ListBuckets with the local credentials (deploy/local/seaweedfs/s3-probe.mjs).
s3_answers() {
  (cd "$TG_ROOT" && TG_S3_PORT=$TG_S3_PORT TG_S3_ACCESS_KEY=$TG_S3_ACCESS_KEY \
    TG_S3_SECRET_KEY=$TG_S3_SECRET_KEY timeout 10 node "$TEMPLATES/s3-probe.mjs" 2>/dev/null)
}

start() {
  install
  if tg_pid_alive "$PIDFILE"; then
    tg_log "seaweedfs already running (pid $(cat "$PIDFILE"))"
    return 0
  fi
  [ -d "$TG_ROOT/node_modules/minio" ] || tg_die "seaweedfs: the readiness probe needs the minio npm package; run npm ci first"
  render
  tg_log "starting seaweedfs: S3 on 127.0.0.1:$TG_S3_PORT (log: $LOG)"
  # -ip=127.0.0.1 makes every listener loopback-only. Volumes are sparse 64 MB files (no preallocation),
  # one per bucket (master.toml), at most 200. The Iceberg and Lance side ports are not used by us.
  # preStopSeconds=0: no production traffic to drain, so stop is immediate. -s3.iam=false: identities
  # come from s3.json only; the embedded IAM/STS API is unused and logs a missing-signing-key error.
  setsid nohup "$WEED" -logtostderr=true -config_dir="$CONFIG_DIR" server \
    -ip=127.0.0.1 -dir="$DIR/data" \
    -master.port="$TG_SEAWEED_MASTER_PORT" -master.port.grpc="$MASTER_GRPC_PORT" \
    -master.volumeSizeLimitMB=64 -master.defaultReplication=000 -master.telemetry=false \
    -volume.port="$TG_SEAWEED_VOLUME_PORT" -volume.port.grpc="$VOLUME_GRPC_PORT" \
    -volume.max=200 -volume.preStopSeconds=0 \
    -filer -filer.port="$TG_SEAWEED_FILER_PORT" -filer.port.grpc="$FILER_GRPC_PORT" \
    -s3 -s3.port="$TG_S3_PORT" -s3.port.grpc="$S3_GRPC_PORT" -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.config="$CONFIG_DIR/s3.json" -s3.iam=false \
    >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local began=$SECONDS
  tg_wait_ready seaweedfs "$READY_TIMEOUT_S" "$LOG" weed_alive s3_answers
  tg_log "seaweedfs ready in $((SECONDS - began))s (pid $(cat "$PIDFILE"))"
}

weed_alive() { tg_pid_alive "$PIDFILE"; }

status() {
  if tg_pid_alive "$PIDFILE" && s3_answers; then
    echo "seaweedfs running (pid $(cat "$PIDFILE")), S3 on 127.0.0.1:$TG_S3_PORT"
  else
    echo "seaweedfs not running (start: bash deploy/local/seaweedfs.sh start)"
    return 3
  fi
}

# status exits 0 when running, 3 when stopped (as deploy/local/kafka.sh).
case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) tg_stop_pid seaweedfs "$PIDFILE" ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
