#!/usr/bin/env bash
# Starts, stops or reports the local services the tests and the local stack need.
#   services.sh up|down|status [kafka s3proxy mosquitto]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action=${1:-status}
shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(kafka s3proxy mosquitto)

case "$action" in
  up) for service in "${services[@]}"; do bash "$TG_ROOT/deploy/local/$service.sh" start; done ;;
  down) for service in "${services[@]}"; do bash "$TG_ROOT/deploy/local/$service.sh" stop || true; done ;;
  status) for service in "${services[@]}"; do bash "$TG_ROOT/deploy/local/$service.sh" status || true; done ;;
  *) echo "usage: $0 up|down|status [service...]" >&2; exit 2 ;;
esac
