#!/usr/bin/env bash
# The full ML run: simulator history (seed 42, 3 stores x 300 SKUs x 120 days) -> Spark MLlib training ->
# evaluation -> ONNX export -> parity gate (MLlib vs onnxruntime vs onnxruntime-node) -> signed release of
# the edge's default model (only if parity passed) -> bench/results/ml-{parity,demand-vs-naive,stockout}.json
# and models/evaluation/evaluation.{json,md}. Exit 1 if the parity gate failed (nothing released).
#   bash bench/ml-pipeline.sh            (about 15-25 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$root/.run/models"
history="$work/history-42-3-120"
if [ ! -f "$history/manifest.json" ]; then
  npx tsx simulators/src/cli.ts history --seed 42 --stores 3 --days 120 --out "$history"
fi
PYTHONPATH="$root/models" .venv/bin/python -m tillgate_models.pipeline \
  --history "$history" --work "$work" \
  --release edge/models/default --bench bench/results --report models/evaluation
