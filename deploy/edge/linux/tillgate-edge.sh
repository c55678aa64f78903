#!/bin/sh
# /usr/bin/tillgate-edge: the agent's CLI on the bundled Node 24 runtime, with the store-PC memory
# settings of edge/src/runtime-settings.ts. --config defaults to /etc/tillgate/edge.json.
set -e
# As root (an admin running backlog/replay), run as the service's user: a root-owned SQLite WAL file
# in /var/lib/tillgate-edge would stop the service from opening its own database.
if [ "$(id -u)" = 0 ] && getent passwd tillgate >/dev/null; then exec runuser -u tillgate -- "$0" "$@"; fi
command=${1:-}
case " $* " in
  *" --config "*|*" --config="*) config= ;;
  *) [ "$command" = hash-password ] && config= || config="--config /etc/tillgate/edge.json" ;;
esac
MALLOC_ARENA_MAX=2
export MALLOC_ARENA_MAX
# shellcheck disable=SC2086 # $config is two words or none
exec /opt/tillgate-edge/node/bin/node --max-old-space-size=96 --max-semi-space-size=8 \
  /opt/tillgate-edge/app/edge/src/cli.ts "$@" $config
