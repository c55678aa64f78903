#!/usr/bin/env bash
# Spark MLlib training rows/s of one 2-core executor (docs/capacity.md r_spark):
#   nice -n 10 bash bench/spark-training-rate.sh        (TG_SPARK_ROWS=20000,40000 by default; a few minutes)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHONPATH="$root/models" exec .venv/bin/python bench/lib/spark_training_rate.py
