#!/usr/bin/env bash
# Installs everything the project needs on this machine, idempotently: the Node 24 runtime and
# packages, the dashboard's web assets, the Python venv, Kafka, the S3 server (s3proxy), Mosquitto and
# Chromium (browser tests). Downloads and builds are cached under
# ~/.cache/tillgate, so a second run or a fresh clone on the same machine is quick.
#   setup.sh [component...]   (default: all)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

components=("$@")
# dashboard after node (it builds with the node packages); chromium for the dashboard's browser tests.
[ ${#components[@]} -gt 0 ] || components=(node dashboard python kafka s3proxy mosquitto chromium)

install_one() {
  local started
  started=$(date +%s)
  bash "$TG_ROOT/deploy/local/$1.sh" install || tg_die "setup: $1 failed after $(($(date +%s) - started))s (its output is above)"
  tg_log "setup: $1 ready in $(($(date +%s) - started))s"
}

for component in "${components[@]}"; do
  install_one "$component"
done
