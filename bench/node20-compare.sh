#!/usr/bin/env bash
# Node 24 (the project's runtime) beside Node 20 (end of life 2026-04-30, the machine's /usr/bin/node):
# runs bench/edge-intake.ts and bench/edge-rss.ts under Node 20 in a temporary copy of this checkout,
# then adds the Node 20 figures to bench/results/edge-{intake,rss}.json as "node20" with
# "ratio_to_node20" (the Node 24 value ÷ the Node 20 value). Run after those two benchmarks (npm run
# bench runs files in name order, so edge-* come first): `npm run bench -- node20-compare`.
# better-sqlite3 is a native module for one Node ABI: the copy gets a Node 20 build of it (made once
# against the installed Node 20 headers, cached under $TG_CACHE); every other package is shared.
# Environment: TG_NODE20 (default /usr/bin/node), TG_NODE20_BENCHES (default "edge-intake edge-rss").
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"

node20=${TG_NODE20:-/usr/bin/node}
[ -x "$node20" ] || tg_die "node20-compare: no Node 20 at $node20 (set TG_NODE20)"
version=$("$node20" --version)
case "$version" in v20.*) ;; *) tg_die "node20-compare: $node20 is $version, not Node 20" ;; esac
sqlite_version=$(node -p "require('$TG_ROOT/node_modules/better-sqlite3/package.json').version")
native="$TG_CACHE/node20-better-sqlite3-$sqlite_version-$version"
headers=$(dirname "$(dirname "$node20")") # /usr: include/node holds the headers of the Debian/nodesource package

# Only better-sqlite3 is built per Node ABI (onnxruntime-node is N-API): build it once per version pair.
if [ ! -f "$native/better_sqlite3.node" ]; then
  tg_log "node20-compare: building better-sqlite3 $sqlite_version for $version from source (~5 min, once)"
  rm -rf "$native.tmp" && mkdir -p "$native.tmp"
  cp -a "$TG_ROOT/node_modules/better-sqlite3" "$native.tmp/src"
  (cd "$native.tmp/src" && PATH="$(dirname "$node20"):/usr/bin:/bin" npm_config_nodedir="$headers" \
    npx --yes node-gyp rebuild --release >/dev/null) || tg_die "node20-compare: better-sqlite3 did not build for $version"
  cp "$native.tmp/src/build/Release/better_sqlite3.node" "$native.tmp/" && rm -rf "$native.tmp/src"
  rm -rf "$native" && mv "$native.tmp" "$native"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The checkout as it is (tracked and untracked files, not .run or node_modules), with the Node 20 modules.
(cd "$TG_ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work" 2>/dev/null) || true
[ -f "$TG_ROOT/deploy/local/ports.local.env" ] && cp "$TG_ROOT/deploy/local/ports.local.env" "$work/deploy/local/"
# node_modules: links to this checkout's packages, except better-sqlite3 with its Node 20 binary.
mkdir -p "$work/node_modules"
for entry in "$TG_ROOT"/node_modules/* "$TG_ROOT"/node_modules/.bin; do
  [ "$(basename "$entry")" = better-sqlite3 ] || ln -s "$entry" "$work/node_modules/$(basename "$entry")"
done
cp -a "$TG_ROOT/node_modules/better-sqlite3" "$work/node_modules/better-sqlite3"
cp "$native/better_sqlite3.node" "$work/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
# Node 20 cannot run a TypeScript worker thread (tsx's hooks do not reach workers there, and Node's own
# type stripping is on by default only from 23.6): in the copy only, the WAL checkpoint worker is compiled to JavaScript by
# tsx's esbuild, types erased and nothing else changed, and the agent starts that file instead.
worker=edge/src/store/wal-checkpoint-worker
"$TG_ROOT/node_modules/.bin/esbuild" "$work/$worker.ts" --format=esm --platform=node --log-level=warning \
  --outfile="$work/$worker.mjs" || tg_die "node20-compare: could not compile $worker.ts for Node 20"
sed -i "s|'./wal-checkpoint-worker.ts'|'./wal-checkpoint-worker.mjs'|" "$work/edge/src/store/wal-checkpointer.ts"
grep -q "wal-checkpoint-worker.mjs" "$work/edge/src/store/wal-checkpointer.ts" ||
  tg_die "node20-compare: edge/src/store/wal-checkpointer.ts no longer names ./wal-checkpoint-worker.ts; update this script"
benches=${TG_NODE20_BENCHES:-edge-intake edge-rss}
for bench in $benches; do
  tg_log "node20-compare: $bench on $version"
  (cd "$work" && PATH="$(dirname "$node20"):$PATH" "$node20" --import tsx "bench/$bench.ts") ||
    tg_die "node20-compare: $bench failed on $version"
done

"$TG_NODE_HOME/bin/node" - "$work/bench/results" "$TG_ROOT/bench/results" $benches <<'JS'
const { readFileSync, writeFileSync } = require('node:fs');
const [from, to, ...names] = process.argv.slice(2);
for (const name of names) {
  const old = JSON.parse(readFileSync(`${from}/${name}.json`, 'utf8'));
  const file = `${to}/${name}.json`;
  const current = JSON.parse(readFileSync(file, 'utf8'));
  current.node20 = {
    what: `the same benchmark on Node 20 (${old.machine}), run right after`,
    value: old.value,
    spread: old.spread,
    baseline: old.baseline?.value,
    at: old.at,
    load_average_1m: old.load_average_1m,
  };
  current.ratio_to_node20 = Number((current.value / old.value).toFixed(3));
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
  console.log(`${name}: node 24 ${current.value} vs node 20 ${old.value} ${current.unit} (ratio ${current.ratio_to_node20})`);
}
JS
