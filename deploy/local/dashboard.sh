#!/usr/bin/env bash
# The ops dashboard's web assets (hub/dashboard, Vite): deploy/local/dashboard.sh install|status
#   install: type-check and build hub/dashboard/dist when its sources or the lock changed since the
#            last build (stamp = hash of them), so setup stays quick when nothing moved.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC="$TG_ROOT/hub/dashboard"
DIST="$SRC/dist"
STAMP="$DIST/.tillgate-build.sha"

sources_sha() {
  (cd "$TG_ROOT" && find hub/dashboard -path hub/dashboard/dist -prune -o -type f -print | LC_ALL=C sort |
    xargs cat package-lock.json | sha256sum | cut -d' ' -f1)
}

built() { [ -f "$DIST/index.html" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$(sources_sha)" ]; }

install() {
  if built; then tg_log "dashboard: assets up to date"; return 0; fi
  tg_log "dashboard: type-check and build (vite)"
  (cd "$TG_ROOT" && npx tsc -p hub/dashboard/tsconfig.json) || tg_die "dashboard: type errors (above)"
  (cd "$TG_ROOT" && npx vite build --config hub/dashboard/vite.config.ts --logLevel warn) || tg_die "dashboard: vite build failed"
  sources_sha >"$STAMP"
}

case "${1:-}" in
  install) install ;;
  status) built && echo "dashboard: built" || echo "dashboard: not built" ;;
  *) echo "usage: $0 install|status" >&2; exit 2 ;;
esac
