#!/usr/bin/env bash
# training-dag (issue 9): wall time of one model_training DAG run (dag.test(), the scheduler's code path
# minus its queueing) for 3 stores x 120 days that a real hub ingested from the simulator: lake + ClickHouse
# -> training input -> spark-submit (MLlib, ONNX, parity) -> champion/challenger -> signed release.
# Needs Kafka + S3 (bash deploy/local/services.sh up). CPU-heavy: run it alone.
#   TG_BENCH_SKUS=100 TG_BENCH_BASKETS=800 TG_BENCH_MAX_ITER=60 nice -n 10 bash bench/training-dag.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source deploy/local/node-env.sh
# Airflow as the DAG tests run it (conftest.py): its own home and SQLite DB, the repo's dags/, no examples.
export AIRFLOW_HOME="$root/.run/airflow-bench"
export AIRFLOW__CORE__DAGS_FOLDER="$root/dags" AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
PYTHONPATH="$root/dags:$root/models:$root/dags/tests" "$root/.venv/bin/python" bench/lib/training_dag.py "$@"
