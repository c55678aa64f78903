#!/usr/bin/env bash
# Validates deploy/compose/compose.yaml the way `docker compose config` does (compose-go), without a
# Docker engine or compose plugin: builds deploy/compose/compose-config once into the cache, then runs it.
#   deploy/compose/compose-config.sh deploy/compose/compose.yaml [more compose files...]
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"
SRC="$TG_ROOT/deploy/compose/compose-config"
BIN="$TG_CACHE/compose-config-$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || tg_die "compose-config: the Go toolchain is needed to build the validator"
  # go reports each module it downloads on stderr, and stderr is the validator's error channel (a fresh
  # machine's first run failed test/deploy/compose.test.ts on it): the build's output only on failure.
  if ! build_output=$(cd "$SRC" && GOPATH="$TG_CACHE/go" GOFLAGS=-modcacherw GOTOOLCHAIN=local go build -o "$BIN.tmp.$$" . 2>&1 && mv "$BIN.tmp.$$" "$BIN"); then
    printf '%s\n' "$build_output" >&2
    tg_die "compose-config: go build failed"
  fi
fi
exec "$BIN" "$@"
