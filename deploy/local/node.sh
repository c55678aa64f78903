#!/usr/bin/env bash
# Node dependencies of the workspaces. `install` runs `npm ci` when node_modules does not match
# package-lock.json. npm's own cache (~/.npm) keeps downloads across fresh clones on one machine.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# onnxruntime-node ships its CPU binaries inside the package; its postinstall would try to download
# GPU extras from outside the package registries, which is not reachable here.
export ONNXRUNTIME_NODE_INSTALL=skip

stamp_matches() {
  [ -f "$TG_ROOT/node_modules/.tillgate-lock.sha" ] &&
    [ "$(cat "$TG_ROOT/node_modules/.tillgate-lock.sha")" = "$(sha256sum "$TG_ROOT/package-lock.json" | cut -d' ' -f1)" ]
}

case "${1:-}" in
  install)
    if stamp_matches; then tg_log "node: dependencies up to date"; exit 0; fi
    tg_log "node: npm ci"
    (cd "$TG_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || tg_die "node: npm ci failed"
    sha256sum "$TG_ROOT/package-lock.json" | cut -d' ' -f1 >"$TG_ROOT/node_modules/.tillgate-lock.sha"
    ;;
  status) stamp_matches && echo "node: installed" || echo "node: not installed" ;;
  *) echo "usage: $0 install|status" >&2; exit 2 ;;
esac
