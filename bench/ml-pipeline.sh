#!/usr/bin/env bash
# The full ML run across regimes (issue 16 item 3): three simulator histories that differ in seed,
# size, demand and fault rates, over the same 75 days (Mar 20 - Jun 3 2026, with the May 1 closure) ->
# Spark MLlib training (store ids kept apart, one time split) -> evaluation -> ONNX export -> parity
# gate (MLlib vs onnxruntime vs onnxruntime-node) -> alert threshold chosen by the alert-quality
# harness on the validation slice -> signed releases of the edge's default stock-out model and of the
# demand model (only if parity passed) -> bench/results/ml-{parity,demand-vs-naive,stockout}.json and
# models/evaluation/evaluation.{json,md}. Exit 1 if a parity gate failed (nothing released).
#   TG_MODEL_SIGNING_KEY=<ed25519 key> bash bench/ml-pipeline.sh      (about an hour on 2 busy cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# The project's Node 24 runtime (the history CLI and the threshold harness run on it).
# shellcheck source=deploy/local/node-env.sh
source deploy/local/node-env.sh
# The developer key (models/README.md); an operator's own key is set with TG_MODEL_SIGNING_KEY.
export TG_MODEL_SIGNING_KEY="${TG_MODEL_SIGNING_KEY:-$HOME/.cache/tillgate/keys/model-signing-dev.ed25519.pem}"
work="$root/.run/models"
start=2026-03-20T00:00:00Z
declare -A regimes=(
  [h1]="--seed 42 --stores 2 --skus 200"
  [h2]="--seed 5 --stores 1 --skus 150 --baskets 600 --phantom-per-day 4 --missed-delivery-rate 0.15"
  [h3]="--seed 9 --stores 1 --skus 150 --baskets 400 --terminals 2 --phantom-per-day 2 --missed-delivery-rate 0.08"
)
histories=()
for name in h1 h2 h3; do
  if [ ! -f "$work/$name/manifest.json" ]; then
    # shellcheck disable=SC2086 # the regime's flags are words on purpose
    npx tsx simulators/src/cli.ts history ${regimes[$name]} --days 75 --start "$start" --out "$work/$name"
  fi
  histories+=("$work/$name")
done
# The threshold harness replays the two one-store histories through the edge (a full edge run each).
PYTHONPATH="$root/models" .venv/bin/python -m tillgate_models.pipeline \
  --history "${histories[@]}" --harness-history "$work/h2" "$work/h3" --work "$work" \
  --release edge/models/default --release-demand models/releases/demand-forecast \
  --bench bench/results --report models/evaluation
