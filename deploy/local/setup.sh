#!/usr/bin/env bash
# Installs everything the project needs on this machine, idempotently: Node packages, the Python
# venv, Kafka, the S3 server (SeaweedFS) and Mosquitto. Downloads and builds are cached under
# ~/.cache/tillgate, so a second run or a fresh clone on the same machine is quick.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(node python kafka seaweedfs mosquitto)

for component in "${components[@]}"; do
  started=$(date +%s)
  bash "$TG_ROOT/deploy/local/$component.sh" install
  tg_log "setup: $component ready in $(($(date +%s) - started))s"
done
