#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests (playwright-core drives it; Playwright's own
# browser downloads are not reachable here): deploy/local/chromium.sh install|status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

installed() { command -v chromium >/dev/null; }

install() {
  installed && return 0
  tg_log "installing chromium (apt)"
  # Serialised with the other scripts' apt runs; update first on a machine whose lists are empty.
  flock /tmp/tillgate-apt.lock bash -c '
    DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 chromium >/dev/null 2>&1 || {
      apt-get update -o DPkg::Lock::Timeout=300 >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 chromium >/dev/null
    }' || tg_die "chromium: apt-get install chromium failed"
  installed || tg_die "chromium: installed but not on PATH"
}

case "${1:-}" in
  install) install ;;
  status) installed && echo "chromium: $(chromium --version 2>/dev/null)" || echo "chromium: not installed" ;;
  *) echo "usage: $0 install|status" >&2; exit 2 ;;
esac
