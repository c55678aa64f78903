#!/usr/bin/env bash
# The full ML run: simulator history (seed 42, 3 stores x 300 SKUs x 120 days) -> Spark MLlib training ->
# evaluation -> ONNX export -> parity gate (MLlib vs onnxruntime vs onnxruntime-node) -> signed release of
# the edge's default model (only if parity passed) -> bench/results/ml-{parity,demand-vs-naive,stockout}.json
# and models/evaluation/evaluation.{json,md}. Exit 1 if the parity gate failed (nothing released).
#   bash bench/ml-pipeline.sh            (about 15-25 minutes on 2 cores)
# Signs with the key in $TG_MODEL_SIGNING_KEY (default: the developer key below). The run never creates
# one: `python -m tillgate_models.signing_key create PATH` does, and the edge trusts it only once its id
# is pinned in the agent config (edge model.trustedKeys). TG_PUBLISH=canary|stable also publishes the
# release into the model registry (models/tillgate_models/registry.py, TG_REGISTRY_* or the local stack).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$root/.run/models"
history="$work/history-42-3-120"
if [ ! -f "$history/manifest.json" ]; then
  npx tsx simulators/src/cli.ts history --seed 42 --stores 3 --days 120 --out "$history"
fi
key="${TG_MODEL_SIGNING_KEY:-$HOME/.cache/tillgate/keys/model-signing-dev.ed25519.pem}"
PYTHONPATH="$root/models" .venv/bin/python -m tillgate_models.pipeline \
  --history "$history" --work "$work" --signing-key "$key" ${TG_PUBLISH:+--publish "$TG_PUBLISH"} \
  --release edge/models/default --bench bench/results --report models/evaluation
