#!/usr/bin/env bash
# The Python venv for models/ (Spark MLlib, ONNX export) and dags/ (Airflow 3).
#   install  create or refresh <repo>/.venv from deploy/local/python/requirements.lock (idempotent)
#   check    verify .venv matches the lock and that Spark, ONNX and Airflow import; exit 1 naming what is wrong
#   lock     re-resolve requirements.in into requirements.lock (maintainers, after editing requirements.in)
#
# The venv lives in the repo, filled by uv from its cache under $TG_CACHE/uv. uv hardlinks files out of
# that cache, so a fresh clone on a warm machine installs in ~2 s and adds no disk. A venv's console
# scripts hold absolute paths, so the stamp records the venv's path: a moved repo is re-installed
# (same ~2 s) instead of running stale scripts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY_DIR="$TG_ROOT/deploy/local/python"
LOCK="$PY_DIR/requirements.lock"
VENV="$TG_ROOT/.venv"
STAMP="$VENV/.tillgate-stamp"
UV_VERSION=$(sed -n 's/^uv==//p' "$PY_DIR/uv-bootstrap.in")
UV_HOME="$TG_CACHE/uv-$UV_VERSION"

export UV_CACHE_DIR="$TG_CACHE/uv"
# uv must never fetch its own Python builds: only the package registry is reachable, and we want the machine's.
export UV_PYTHON_DOWNLOADS=never
# The machine trusts its CA bundle through the system store (SSL_CERT_FILE); uv's bundled roots may not hold it.
export UV_NATIVE_TLS=1
export UV_NO_PROGRESS=1

# The machine's Python 3.11 (TG_PYTHON overrides), resolved to its real path so pyenv shims do not leak into the venv.
find_python() {
  local candidate real
  for candidate in "${TG_PYTHON:-}" python3.11 /usr/bin/python3.11; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    real=$("$candidate" -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 11) else "")' 2>/dev/null) || continue
    if [ -n "$real" ]; then printf '%s\n' "$real"; return 0; fi
  done
  tg_die "python.sh: no Python 3.11 found (tried \$TG_PYTHON, python3.11, /usr/bin/python3.11); install python3.11 or set TG_PYTHON"
}

# uv itself comes from the registry, pinned by hash, into its own small venv in the cache.
ensure_uv() {
  [ -x "$UV_HOME/bin/uv" ] && return 0
  local python=$1 tmp="$UV_HOME.tmp.$$"
  tg_log "python: installing uv $UV_VERSION into $UV_HOME"
  rm -rf "$tmp"
  "$python" -m venv "$tmp"
  "$tmp/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$PY_DIR/uv-bootstrap.lock" \
    || tg_die "python.sh: could not install uv $UV_VERSION (see pip output above)"
  # venv scripts carry absolute paths; renaming the venv keeps the uv binary itself valid, which is all we call.
  mv "$tmp" "$UV_HOME"
}

expected_stamp() {
  local python=$1
  printf 'lock=%s python=%s venv=%s\n' "$(sha256sum "$LOCK" | cut -d' ' -f1)" "$python" "$VENV"
}

stamp_matches() { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(expected_stamp "$1")" ]; }

install() {
  local python started=$SECONDS
  python=$(find_python)
  [ -f "$LOCK" ] || tg_die "python.sh: lock file $LOCK is missing; run deploy/local/python.sh lock"
  # Two installs racing (setup script and a developer) would interleave files in one venv.
  exec 9>"$TG_CACHE/python-install.lock"
  flock 9
  if stamp_matches "$python"; then
    tg_log "python: .venv already matches requirements.lock"
    return 0
  fi
  ensure_uv "$python"
  tg_log "python: building .venv with $python from requirements.lock"
  rm -rf "$VENV"
  "$UV_HOME/bin/uv" venv --quiet --python "$python" "$VENV"
  "$UV_HOME/bin/uv" pip sync --quiet --require-hashes --python "$VENV/bin/python" "$LOCK" \
    || tg_die "python.sh: installing requirements.lock into $VENV failed (see uv output above)"
  expected_stamp "$python" >"$STAMP"
  tg_log "python: .venv ready in $((SECONDS - started))s"
}

check() {
  local python java_version
  python=$(find_python)
  [ -x "$VENV/bin/python" ] || tg_die "python.sh check: $VENV does not exist; run deploy/local/python.sh install"
  stamp_matches "$python" \
    || tg_die "python.sh check: $VENV is stale (requirements.lock, Python or repo path changed); run deploy/local/python.sh install"
  "$VENV/bin/python" -c 'import airflow.sdk, numpy, onnx, onnxmltools, onnxruntime, pandas, pyarrow, pyspark, pytest' \
    || tg_die "python.sh check: a locked package does not import in $VENV; run deploy/local/python.sh install"
  command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] \
    || tg_die "python.sh check: no java found; pyspark needs Java 17+ (set JAVA_HOME or put java on PATH)"
  java_version=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [ "${java_version:-0}" -ge 17 ] || tg_die "python.sh check: pyspark 4 needs Java 17+, found Java ${java_version:-unknown}"
  tg_log "python: .venv ok ($("$VENV/bin/python" --version), Java $java_version)"
}

lock() {
  local python
  python=$(find_python)
  ensure_uv "$python"
  # Resolved for the machine's Python on Linux x86_64; hashes pin every file so a fresh machine gets the same bytes.
  (cd "$PY_DIR" && "$UV_HOME/bin/uv" pip compile --quiet --python "$python" --generate-hashes \
    --custom-compile-command "deploy/local/python.sh lock" requirements.in -o requirements.lock)
  (cd "$PY_DIR" && "$UV_HOME/bin/uv" pip compile --quiet --python "$python" --generate-hashes \
    --custom-compile-command "deploy/local/python.sh lock" uv-bootstrap.in -o uv-bootstrap.lock)
  tg_log "python: wrote $LOCK; run deploy/local/python.sh install"
}

case "${1:-}" in
  install) install ;;
  check) check ;;
  lock) lock ;;
  *) tg_die "usage: deploy/local/python.sh install|check|lock" ;;
esac
