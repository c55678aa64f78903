#!/usr/bin/env bash
# Installs everything the project needs on this machine, idempotently: Node packages, the Python
# venv, Kafka, the S3 server (SeaweedFS) and Mosquitto. Downloads and builds are cached under
# ~/.cache/tillgate, so a second run or a fresh clone on the same machine is quick.
#   setup.sh [component...]   (default: all)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(seaweedfs node python kafka mosquitto)

install_one() {
  local started
  started=$(date +%s)
  bash "$TG_ROOT/deploy/local/$1.sh" install || return 1
  tg_log "setup: $1 ready in $(($(date +%s) - started))s"
}

# The SeaweedFS build from source takes 10-20 min on a new machine and waits mostly on the Go
# compiler, while the others wait mostly on downloads: run it alongside them, not before them.
background_pid=
if [[ " ${components[*]} " == *" seaweedfs "* ]]; then
  install_one seaweedfs >"$TG_RUN/setup-seaweedfs.log" 2>&1 &
  background_pid=$!
fi
for component in "${components[@]}"; do
  [ "$component" = seaweedfs ] || install_one "$component"
done
if [ -n "$background_pid" ]; then
  wait "$background_pid" || { tail -n 30 "$TG_RUN/setup-seaweedfs.log" >&2; tg_die "setup: seaweedfs install failed; log: $TG_RUN/setup-seaweedfs.log"; }
  cat "$TG_RUN/setup-seaweedfs.log" >&2
fi
