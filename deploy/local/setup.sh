#!/usr/bin/env bash
# Installs everything the project needs on this machine, idempotently: the Node 24 runtime and
# packages, the Python venv, Kafka, the S3 server (s3proxy) and Mosquitto. Downloads and builds are cached under
# ~/.cache/tillgate, so a second run or a fresh clone on the same machine is quick.
#   setup.sh [component...]   (default: all)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(node python kafka s3proxy mosquitto)

install_one() {
  local started
  started=$(date +%s)
  bash "$TG_ROOT/deploy/local/$1.sh" install || return 1
  tg_log "setup: $1 ready in $(($(date +%s) - started))s"
}

for component in "${components[@]}"; do
  install_one "$component"
done
