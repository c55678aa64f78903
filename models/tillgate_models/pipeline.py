"""One command from simulator history to a released, signed, parity-checked stock-out model:

    .venv/bin/python -m tillgate_models.pipeline --simulate 42:3:120 --release edge/models/default \
        --bench bench/results --report models/evaluation

snapshots -> MLlib training (time split) -> holdout evaluation -> ONNX export (our exporter, with
onnxmltools' SparkML converter measured alongside as a baseline) -> parity gate (MLlib vs onnxruntime
vs onnxruntime-node) -> signed release, only if the gate passed. Exit status 1 when the gate fails.
"""

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark.ml import Model
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from . import evaluation as ev
from .feature_spec import REPO_ROOT, STOCKOUT_FEATURE_NAMES
from .mllib_export import read_saved_gbt
from .onnx_graph import ensemble_to_onnx
from .parity import PARITY_TOLERANCE, ParityResult, check_parity, onnxruntime_python
from .registry import CHANNELS, RegistryConfig, publish_release
from .release import TrainingRange, write_release
from .reporting import write_bench_results, write_report
from .signing_key import load_signing_key, public_pem, signing_key_path
from .snapshots import STOCKOUT_HORIZON_MS
from .spark_session import training_session
from .training import DEMAND_LEVEL, TrainedModels, TrainingParams, demand_level, train_models
from .training_data import history_range_ms, snapshot_frame
from .utc_time import MS_PER_DAY

# A closed day silences sales from the evening before until the next opening (~34 h); the closure
# diagnostic leaves out snapshots from the closed day's start for two days.
CLOSURE_WINDOW_MS = 2 * MS_PER_DAY
# Rows of the holdout copied next to the default model for the TypeScript platform test.
PARITY_SAMPLE_ROWS = 256


def simulate(spec: str, out_dir: Path) -> Path:
    seed, stores, days = spec.split(":")
    subprocess.run(
        [
            "npx",
            "tsx",
            "simulators/src/cli.ts",
            "history",
            "--seed",
            seed,
            "--stores",
            stores,
            "--days",
            days,
            "--out",
            str(out_dir),
        ],
        cwd=REPO_ROOT,
        check=True,
    )
    return out_dir


def predictions(model: Model, frame: DataFrame, probability: bool) -> pd.DataFrame:
    scored = model.transform(frame)
    value = vector_to_array("probability")[1] if probability else F.col("prediction") * demand_level()
    columns = ["store_id", "sku", "t_ms", "label", "naive", *STOCKOUT_FEATURE_NAMES]
    return scored.select(*columns, value.alias("mllib")).orderBy("store_id", "sku", "t_ms").toPandas()


def closed_store_days(spark: SparkSession, history: Path, start_ms: int, end_ms: int) -> pd.DataFrame:
    """Store x UTC day with no sale at all in the history: the store was closed (holidays)."""
    open_days = (
        spark.read.parquet(f"{history}/events.parquet")
        .where(F.col("type") == "sale")
        .select("store_id", (F.floor(F.unix_millis("occurred_at") / MS_PER_DAY) * MS_PER_DAY).alias("day_ms"))
        .distinct()
        .toPandas()
    )
    seen = set(zip(open_days["store_id"], open_days["day_ms"].astype("int64"), strict=True))
    closed = [
        (store, day)
        for store in sorted(set(open_days["store_id"]))
        for day in range(start_ms - start_ms % MS_PER_DAY, end_ms, MS_PER_DAY)
        if (store, day) not in seen
    ]
    return pd.DataFrame(closed, columns=["store_id", "day_ms"])


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()


def feature_matrix(rows: pd.DataFrame) -> np.ndarray:
    # The snapshot columns hold float32-rounded values as doubles, so this cast is exact.
    return rows[list(STOCKOUT_FEATURE_NAMES)].to_numpy(dtype=np.float64).astype(np.float32)


def onnxmltools_baseline(spark: SparkSession, trained: TrainedModels, rows: np.ndarray, mllib: np.ndarray) -> dict:
    """onnxmltools' SparkML converter on the same model and rows: the peer our exporter is measured against."""
    try:
        from onnxmltools import convert_sparkml
        from onnxmltools.convert.common.data_types import FloatTensorType

        model = convert_sparkml(
            trained.stockout,
            "stockout",
            [("features", FloatTensorType([None, len(STOCKOUT_FEATURE_NAMES)]))],
            spark_session=spark,
        )
        import onnxruntime as ort

        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        outputs = {o.name: v for o, v in zip(session.get_outputs(), session.run(None, {"features": rows}), strict=True)}
        probability = np.asarray(outputs["probability"], dtype=np.float64)[:, 1]
        return {"converted": True, "max_abs_diff": float(np.max(np.abs(probability - mllib)))}
    except Exception as error:  # the baseline's failure is a finding to report, not a crash
        return {"converted": False, "error": f"{type(error).__name__}: {error}"}


def run(args: argparse.Namespace) -> int:
    # Before an hour of training: a missing key must stop the run at once, never be created by it.
    key = load_signing_key(signing_key_path(args.signing_key))
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    history = Path(args.history).resolve() if args.history else simulate(args.simulate, work / "history")
    spark = training_session()
    start_ms, end_ms = history_range_ms(spark, str(history))
    snapshot_frame(spark, str(history)).write.mode("overwrite").parquet(str(work / "snapshots.parquet"))
    snapshots = spark.read.parquet(str(work / "snapshots.parquet"))
    params = TrainingParams(max_iter=args.max_iter, max_depth=args.max_depth)
    trained = train_models(snapshots, params)
    for name, model in (("stockout", trained.stockout), ("demand", trained.demand)):
        model.write().overwrite().save(str(work / "mllib" / name))

    stockout_rows = predictions(trained.stockout, trained.stockout_holdout, probability=True)
    validation_rows = predictions(trained.stockout, trained.stockout_validation, probability=True)
    demand_rows = predictions(trained.demand, trained.demand_holdout, probability=False)
    demand_train = trained.demand_train.select("label", "naive").toPandas()
    train_count = trained.stockout_train.count()

    labels, scores = stockout_rows["label"].to_numpy(), stockout_rows["mllib"].to_numpy()
    recall90, threshold90 = ev.recall_at_precision(labels, scores)
    stockouts = (
        spark.read.parquet(f"{history}/stockouts.parquet")
        .select("store_id", "sku", F.unix_millis("start").alias("start_ms"), F.unix_millis("end").alias("end_ms"))
        .toPandas()
    )
    # The threshold the edge raises at, chosen on the validation slice of the training period only.
    operating = ev.operating_point(validation_rows["label"].to_numpy(), validation_rows["mllib"].to_numpy())
    alert_threshold = operating.threshold
    holdout_precision, holdout_recall = ev.precision_recall_at(labels, scores, alert_threshold)
    leads = ev.alert_lead_times(
        stockout_rows.rename(columns={"mllib": "score"}),
        stockouts,
        alert_threshold,
        STOCKOUT_HORIZON_MS,
        trained.split_ms,
    )
    closed = closed_store_days(spark, history, start_ms, end_ms)
    open_rows = ~ev.closure_mask(stockout_rows, closed, CLOSURE_WINDOW_MS)
    recall90_open, _ = ev.recall_at_precision(labels[open_rows], scores[open_rows])
    precision_open, recall_open = ev.precision_recall_at(labels[open_rows], scores[open_rows], alert_threshold)
    diagnostic = {
        "closed_store_days": [f"{row.store_id} {_day(row.day_ms)}" for row in closed.itertuples(index=False)],
        "excluded_rows": int((~open_rows).sum()),
        "pr_auc": ev.average_precision(labels[open_rows], scores[open_rows]),
        "recall_at_90_precision": recall90_open,
        "alert_precision": precision_open,
        "alert_recall": recall_open,
    }
    demand = ev.demand_metrics(
        demand_rows["label"].to_numpy(),
        demand_rows["mllib"].to_numpy(),
        demand_rows["naive"].to_numpy(),
        demand_train["label"].to_numpy(),
        demand_train["naive"].to_numpy(),
    )

    stockout_onnx = ensemble_to_onnx(
        read_saved_gbt(work / "mllib" / "stockout"), "stockout-risk", "MLlib GBTClassifier, P(shelf empty within 48 h)"
    ).SerializeToString()
    demand_onnx = ensemble_to_onnx(
        replace(read_saved_gbt(work / "mllib" / "demand"), level=DEMAND_LEVEL),
        "demand-forecast",
        "MLlib GBTRegressor, units sold in the next 7 UTC days",
    ).SerializeToString()
    (work / "demand.onnx").write_bytes(demand_onnx)

    stockout_x = feature_matrix(stockout_rows)
    metrics = {
        "pr_auc": ev.average_precision(labels, scores),
        "recall_at_90_precision": recall90,
        "alert_threshold": alert_threshold,
        "alert_precision": holdout_precision,
        "alert_recall": holdout_recall,
        "validation_precision": operating.precision,
        "validation_recall": operating.recall,
        "threshold_at_90_precision": threshold90 if np.isfinite(threshold90) else 1.0,
        "median_lead_hours": leads.median_hours,
        "holdout_rows": float(len(stockout_rows)),
        "holdout_positive_rate": float(labels.mean()),
    }
    training = TrainingRange(
        datetime.fromtimestamp(start_ms / 1000, UTC),
        datetime.fromtimestamp(trained.validation_split_ms / 1000, UTC),
        train_count,
    )
    version = "1." + datetime.now(UTC).strftime("%Y%m%d%H%M")
    staging = work / "release-staging"
    shutil.rmtree(staging, ignore_errors=True)
    write_release(
        staging,
        stockout_onnx,
        name="stockout-risk",
        version=version,
        task="stockout-risk",
        training=training,
        metrics=metrics,
        key=key,
    )
    # The node leg loads the release through the edge's own checks; it trusts this run's key for this
    # check only (the agent's trust list is the operator's, edge model.trustedKeys).
    signer_pem = work / "signing-key.pub.pem"
    signer_pem.write_bytes(public_pem(key.public_key()))
    stockout_parity = check_parity(
        stockout_rows["mllib"].to_numpy(), stockout_onnx, stockout_x, staging, extra_trusted_key=signer_pem
    )
    demand_x = feature_matrix(demand_rows)
    # Demand is in units (up to hundreds), and the ONNX output is float32: its rounding alone is
    # ~6e-8 relative, so the demand gate is relative to the value (probabilities are all <= 1).
    demand_mllib = demand_rows["mllib"].to_numpy()
    demand_parity = ParityResult(
        rows=len(demand_x),
        max_abs_diff_python=float(
            np.max(
                np.abs(onnxruntime_python(demand_onnx, demand_x) - demand_mllib) / np.maximum(1.0, np.abs(demand_mllib))
            )
        ),
        max_abs_diff_node=None,
    )
    baseline = onnxmltools_baseline(spark, trained, stockout_x, stockout_rows["mllib"].to_numpy())
    spark.stop()

    released = stockout_parity.passed
    if released and args.release:
        # Parity is part of the release record, so re-sign with it in the manifest.
        metrics["parity_max_abs_diff"] = stockout_parity.max_abs_diff
        target = Path(args.release).resolve()
        target.mkdir(parents=True, exist_ok=True)
        write_release(
            target,
            stockout_onnx,
            name="stockout-risk",
            version=version,
            task="stockout-risk",
            training=training,
            metrics=metrics,
            key=key,
        )
        if args.publish:
            publish_release(target, signer=key.public_key(), channel=args.publish, config=RegistryConfig.from_env())
        sample = stockout_rows.sample(n=min(PARITY_SAMPLE_ROWS, len(stockout_rows)), random_state=1)
        (target / "parity-sample.json").write_text(
            json.dumps(
                {
                    "about": "Held-out feature rows and MLlib's P(stock-out) for them (test/platform/onnx.test.ts).",
                    "tolerance": PARITY_TOLERANCE,
                    "rows": feature_matrix(sample).astype(np.float64).tolist(),
                    "mllib": sample["mllib"].tolist(),
                }
            )
            + "\n"
        )

    summary = {
        "history": {"dir": str(history), "from_ms": start_ms, "to_ms": end_ms},
        "split_ms": trained.split_ms,
        "demand_split_ms": trained.demand_split_ms,
        "params": asdict(params),
        "stockout": {
            **metrics,
            "lead_times": asdict(leads),
            "horizon_hours": STOCKOUT_HORIZON_MS / 3_600_000,
            "excluding_store_closures": diagnostic,
            "threshold_rule": operating.rule,
            "validation": {
                "from_ms": trained.validation_split_ms,
                "to_ms": trained.split_ms - STOCKOUT_HORIZON_MS,
                "rows": len(validation_rows),
            },
        },
        "demand": asdict(demand)
        | {"holdout_rows": len(demand_rows), "ratio_vs_naive": demand.mase / demand.naive_mase},
        "parity": {
            "tolerance": PARITY_TOLERANCE,
            "stockout": asdict(stockout_parity),
            "demand": asdict(demand_parity),
            "onnxmltools_stockout": baseline,
        },
        "released": bool(released and args.release),
        "version": version,
    }
    write_report(work, summary)
    if args.report:
        write_report(Path(args.report), summary)
    if args.bench:
        write_bench_results(Path(args.bench), summary, "bash bench/ml-pipeline.sh")
    print(
        json.dumps(
            {
                "released": summary["released"],
                "parity": stockout_parity.max_abs_diff,
                "pr_auc": metrics["pr_auc"],
                "demand_ratio": summary["demand"]["ratio_vs_naive"],
            }
        )
    )
    return 0 if released and demand_parity.passed else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--history", help="a simulator history directory (simulators/README.md)")
    source.add_argument("--simulate", help="SEED:STORES:DAYS, runs simulators/src/cli.ts history first")
    parser.add_argument("--work", default=str(REPO_ROOT / ".run" / "models"), help="scratch directory")
    parser.add_argument("--release", help="directory to release the stock-out model into if parity passes")
    parser.add_argument("--signing-key", help="ed25519 key file that signs the release (default $TG_MODEL_SIGNING_KEY)")
    parser.add_argument(
        "--publish",
        choices=CHANNELS,
        help="also publish the release into the model registry (TG_REGISTRY_*, registry.py) on this channel",
    )
    parser.add_argument("--bench", help="directory for bench/results ml-*.json")
    parser.add_argument("--report", help="directory for evaluation.json + evaluation.md")
    parser.add_argument("--max-iter", type=int, default=TrainingParams.max_iter)
    parser.add_argument("--max-depth", type=int, default=TrainingParams.max_depth)
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
