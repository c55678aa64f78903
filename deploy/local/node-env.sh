# shellcheck shell=bash
# The project's Node.js runtime: Node 24 LTS unpacked by deploy/local/node.sh into the cache (Node 20
# reached end of life on 2026-04-30). Sourced by lib.sh and by test/run-all.sh so every script, test
# and benchmark runs on it and native modules are built against its headers. Source it; do not run it.
TG_NODE_VERSION=24.22.3
TG_NODE_HOME="${TILLGATE_CACHE:-$HOME/.cache/tillgate}/node-$TG_NODE_VERSION"
case ":$PATH:" in
  *":$TG_NODE_HOME/bin:"*) ;;
  *) export PATH="$TG_NODE_HOME/bin:$PATH" ;;
esac
# node-gyp (better-sqlite3) compiles against these headers instead of downloading them.
export npm_config_nodedir="$TG_NODE_HOME"
