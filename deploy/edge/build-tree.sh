#!/usr/bin/env bash
# Lays out the installed edge agent under OUT (the packages' /opt/tillgate-edge, C:\Program Files\tillgate-edge):
#   OUT/node/        the Node 24 runtime the agent runs on (node binary + licence)
#   OUT/app/edge/    agent sources (Node 24 runs the TypeScript itself: type stripping, no build step),
#                    bundled model and its trusted public key
#   OUT/app/shared/  the contracts package the agent imports
#   OUT/app/node_modules/  production dependencies only (deploy/edge/production-modules.mjs), native
#                    modules built for this runtime, other platforms' binaries removed
# Usage: deploy/edge/build-tree.sh OUT   (linux-x64 from this checkout's node_modules)
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"

out=${1:?usage: build-tree.sh OUT}
bash "$TG_ROOT/deploy/local/node.sh" install >/dev/null
rm -rf "$out" && mkdir -p "$out/node/bin" "$out/app"
cp "$TG_NODE_HOME/bin/node" "$out/node/bin/node"
cp "$TG_NODE_HOME/LICENSE" "$out/node/LICENSE"

# Sources without tests: the agent never loads them, and they import vitest.
copy_sources() {
  local name=$1
  mkdir -p "$out/app/$name"
  (cd "$TG_ROOT/$name" && find src -name '*.ts' ! -name '*.test.ts' -print0 | xargs -0 cp --parents -t "$out/app/$name")
  cp "$TG_ROOT/$name/package.json" "$out/app/$name/"
}
copy_sources shared
copy_sources edge
cp -r "$TG_ROOT/edge/models" "$TG_ROOT/edge/keys" "$TG_ROOT/edge/config" "$out/app/edge/"
# The one data file shared/ reads at run time: the feature spec the model's hash is checked against.
cp -r "$TG_ROOT/shared/features" "$out/app/shared/"
printf '{ "private": true, "type": "module" }\n' >"$out/app/package.json"

while read -r module; do
  mkdir -p "$out/app/$(dirname "$module")"
  cp -r "$TG_ROOT/$module" "$out/app/$module"
done < <(node "$TG_ROOT/deploy/edge/production-modules.mjs" "$TG_ROOT")
mkdir -p "$out/app/node_modules/@tillgate"
ln -s ../../shared "$out/app/node_modules/@tillgate/shared"

# Native modules: keep the linux-x64 build only. onnxruntime-node ships every platform (288 MB);
# better-sqlite3's sources and build intermediates are not needed once built.
ort="$out/app/node_modules/onnxruntime-node/bin/napi-v6"
find "$ort" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
find "$ort/linux" -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} +
sqlite="$out/app/node_modules/better-sqlite3"
rm -rf "$sqlite/deps" "$sqlite/src"
find "$sqlite/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
find "$sqlite/build/Release" -mindepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
# TypeScript declarations, maps and docs are not run.
find "$out/app/node_modules" \( -name '*.d.ts' -o -name '*.map' -o -name '*.md' -o -name '*.markdown' \) -type f -delete
