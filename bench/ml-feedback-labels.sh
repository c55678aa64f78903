#!/usr/bin/env bash
# What staff feedback adds to training (issue 16 item 4): the two one-store histories of
# bench/ml-pipeline.sh, labelled the way a chain observes them (simulators `feedback-labels`: shelf
# counts finding 0; plus simulated staff answering 70 % of the shipped model's alerts with a 10 %
# error rate), trained twice through the same pipeline (--labels, nothing released), both scored on the
# holdout against the ground truth -> bench/results/ml-feedback-labels.json.
#   TG_MODEL_SIGNING_KEY=<ed25519 key> bash bench/ml-feedback-labels.sh      (about 30 minutes on 2 busy cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
histories="${TG_HISTORIES:-$root/.run/models}"
work="$root/.run/feedback-labels"
start=2026-03-20T00:00:00Z
declare -A regimes=(
  [h2]="--seed 5 --stores 1 --skus 150 --baskets 600 --phantom-per-day 4 --missed-delivery-rate 0.15"
  [h3]="--seed 9 --stores 1 --skus 150 --baskets 400 --terminals 2 --phantom-per-day 2 --missed-delivery-rate 0.08"
)
dirs=()
for name in h2 h3; do
  if [ ! -f "$histories/$name/manifest.json" ]; then
    # shellcheck disable=SC2086 # the regime's flags are words on purpose
    npx tsx simulators/src/cli.ts history ${regimes[$name]} --days 75 --start "$start" --out "$histories/$name"
  fi
  if [ ! -f "$histories/$name/labels-observed.parquet" ]; then
    npx tsx simulators/src/cli.ts feedback-labels --model edge/models/default --history "$histories/$name" \
      --answer-share 0.7 --error-rate 0.1 | tee "$histories/$name/feedback-labels.json"
  fi
  dirs+=("$histories/$name")
done
for labels in labels-counts labels-observed; do
  PYTHONPATH="$root/models" .venv/bin/python -m tillgate_models.pipeline --history "${dirs[@]}" --max-iter 30 \
    --labels "$labels.parquet" --row-threshold --work "$work/$labels"
done
PYTHONPATH="$root/models" .venv/bin/python -m tillgate_models.label_gain --history "${dirs[@]}" \
  --run "counts=$work/labels-counts" --run "counts+feedback=$work/labels-observed" \
  --shipped edge/models/default/model.onnx --bench bench/results \
  --notes "feedback: $(cat "${dirs[0]}/feedback-labels.json") / $(cat "${dirs[1]}/feedback-labels.json")"
