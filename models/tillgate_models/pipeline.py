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
from collections.abc import Callable
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
from .alert_threshold import choose_levels, harness_table, pooled, rules_pooled
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
from .training_data import GROUND_TRUTH_LABELS, history_range_ms, snapshot_frame
from .utc_time import MS_PER_DAY

# A closed day silences sales from the evening before until the next opening (~34 h); the closure
# diagnostic leaves out snapshots from the closed day's start for two days.
CLOSURE_WINDOW_MS = 2 * MS_PER_DAY
# Rows of the holdout copied next to the default model for the TypeScript platform test.
PARITY_SAMPLE_ROWS = 256


def store_prefix(index: int, count: int) -> str:
    """Store ids stay distinct across histories (each simulator run names its stores store-001...)."""
    return "" if count == 1 else f"h{index + 1}-"


def union_histories(histories: list[Path], frame_of: Callable[[Path], DataFrame]) -> DataFrame:
    frames = [
        frame_of(h).withColumn("store_id", F.concat(F.lit(store_prefix(i, len(histories))), F.col("store_id")))
        for i, h in enumerate(histories)
    ]
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return union


def common_range_ms(spark: SparkSession, histories: list[Path]) -> tuple[int, int]:
    """One time range for all histories: the split is by time, so it must cut each of them alike."""
    ranges = {history_range_ms(spark, str(h)) for h in histories}
    if len(ranges) != 1:
        raise SystemExit(
            f"the histories cover different time ranges {sorted(ranges)}; simulate them with the same --start and --days"
        )
    return ranges.pop()


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
    histories = (
        [Path(h).resolve() for h in args.history] if args.history else [simulate(args.simulate, work / "history")]
    )
    spark = training_session()
    start_ms, end_ms = common_range_ms(spark, histories)
    if not args.resume:
        union_histories(histories, lambda h: snapshot_frame(spark, str(h), args.labels)).write.mode(
            "overwrite"
        ).parquet(str(work / "snapshots.parquet"))
    snapshots = spark.read.parquet(str(work / "snapshots.parquet"))
    params = TrainingParams(max_iter=args.max_iter, max_depth=args.max_depth)
    trained = train_models(snapshots, params, saved=work / "mllib" if args.resume else None)
    if not args.resume:
        for name, model in (("stockout", trained.stockout), ("demand", trained.demand)):
            model.write().overwrite().save(str(work / "mllib" / name))

    stockout_rows = predictions(trained.stockout, trained.stockout_holdout, probability=True)
    validation_rows = predictions(trained.stockout, trained.stockout_validation, probability=True)
    demand_rows = predictions(trained.demand, trained.demand_holdout, probability=False)
    demand_train = trained.demand_train.select("label", "naive").toPandas()
    train_count = trained.stockout_train.count()

    # The holdout as scored: champion/challenger (model_training DAG) scores the champion on these rows.
    stockout_rows.to_parquet(work / "stockout-holdout.parquet", index=False)
    labels, scores = stockout_rows["label"].to_numpy(), stockout_rows["mllib"].to_numpy()
    recall90, threshold90 = ev.recall_at_precision(labels, scores)
    stockouts = union_histories(
        histories,
        lambda h: spark.read.parquet(f"{h}/{args.labels}").select(
            "store_id", "sku", F.unix_millis("start").alias("start_ms"), F.unix_millis("end").alias("end_ms")
        ),
    ).toPandas()
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
    closed = pd.concat(
        [
            closed_store_days(spark, h, start_ms, end_ms).assign(
                store_id=lambda frame, i=i: store_prefix(i, len(histories)) + frame["store_id"]
            )
            for i, h in enumerate(histories)
        ],
        ignore_index=True,
    )
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
    # Major = the feature spec version (a v1 edge refuses a v2 model by its feature_spec_hash anyway).
    version = "2." + datetime.now(UTC).strftime("%Y%m%d%H%M")
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

    # The threshold the edge raises at: chosen for alerts as received on the validation slice, through
    # the edge's own engine (alert_threshold.py); the snapshot-row choice above stays as a diagnostic.
    choice = None
    holdout_alerts = None
    harness_histories = [Path(h).resolve() for h in args.harness_history] if args.harness_history else histories
    if stockout_parity.passed and not args.row_threshold:
        choice = choose_levels(
            staging, signer_pem, harness_histories, trained.validation_split_ms, trained.split_ms - STOCKOUT_HORIZON_MS
        )
        alert_threshold = choice.threshold
        holdout_precision, holdout_recall = ev.precision_recall_at(labels, scores, alert_threshold)
        metrics |= {
            "alert_threshold": alert_threshold,
            "alert_threshold_hidden_empty": choice.hidden_empty_level,
            "alert_precision": holdout_precision,
            "alert_recall": holdout_recall,
            "validation_alerts_precision": choice.precision,
            "validation_alerts_recall": choice.recall,
            "validation_alerts_detection_recall": choice.detection_recall,
            "validation_alerts_per_store_day": choice.alerts_per_store_day,
            "row_threshold": operating.threshold,
        }
        # Alerts as received on the holdout at the chosen level, against the rules on the same events.
        holdout_table = harness_table(
            staging, signer_pem, harness_histories, trained.split_ms, end_ms - STOCKOUT_HORIZON_MS, (choice.levels,)
        )
        holdout_alerts = {
            "model": pooled(holdout_table["thresholds"][0]["histories"]),
            **rules_pooled(holdout_table),
        }

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

    # The demand model ships through the same path for the hub's batch predictions: signed manifest,
    # only if its parity gate passed (relative to the value: units, not probabilities).
    demand_released = bool(demand_parity.passed and args.release_demand)
    if demand_released:
        demand_target = Path(args.release_demand).resolve()
        demand_target.mkdir(parents=True, exist_ok=True)
        demand_range = TrainingRange(
            datetime.fromtimestamp(start_ms / 1000, UTC),
            datetime.fromtimestamp(trained.demand_split_ms / 1000, UTC),
            len(demand_train),
        )
        write_release(
            demand_target,
            demand_onnx,
            name="demand-forecast",
            version=version,
            task="demand-forecast",
            training=demand_range,
            metrics={
                **{k: float(v) for k, v in asdict(demand).items()},
                "ratio_vs_naive": demand.mase / demand.naive_mase,
                "parity_max_rel_diff": demand_parity.max_abs_diff,
                "holdout_rows": float(len(demand_rows)),
            },
            key=key,
        )
        if args.publish:
            publish_release(
                demand_target, signer=key.public_key(), channel=args.publish, config=RegistryConfig.from_env()
            )

    summary = {
        "history": {"dirs": [str(h) for h in histories], "from_ms": start_ms, "to_ms": end_ms},
        "split_ms": trained.split_ms,
        "demand_split_ms": trained.demand_split_ms,
        "params": asdict(params),
        "stockout": {
            **metrics,
            "lead_times": asdict(leads),
            "horizon_hours": STOCKOUT_HORIZON_MS / 3_600_000,
            "excluding_store_closures": diagnostic,
            "threshold_rule": choice.rule if choice else operating.rule,
            "threshold_table": choice.table if choice else None,
            "holdout_alerts": holdout_alerts,
            # The best single features as scores on the same rows: the model's margin over one-feature rules.
            "pr_auc_days_of_cover": ev.average_precision(labels, -stockout_rows["days_of_cover"].to_numpy()),
            "pr_auc_expected_units_since_sale": ev.average_precision(
                labels, stockout_rows["expected_units_since_sale"].to_numpy()
            ),
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
        "demand_released": demand_released,
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
    source.add_argument(
        "--history",
        nargs="+",
        help="simulator history directories (simulators/README.md), same --start and --days; store ids are kept apart",
    )
    source.add_argument("--simulate", help="SEED:STORES:DAYS, runs simulators/src/cli.ts history first")
    parser.add_argument(
        "--labels",
        default=GROUND_TRUTH_LABELS,
        help="label-interval file in each history dir (default: the simulator's ground truth; hub input: labels.parquet)",
    )
    parser.add_argument("--work", default=str(REPO_ROOT / ".run" / "models"), help="scratch directory")
    parser.add_argument("--release", help="directory to release the stock-out model into if parity passes")
    parser.add_argument("--signing-key", help="ed25519 key file that signs the release (default $TG_MODEL_SIGNING_KEY)")
    parser.add_argument(
        "--publish",
        choices=CHANNELS,
        help="also publish the release into the model registry (TG_REGISTRY_*, registry.py) on this channel",
    )
    parser.add_argument(
        "--release-demand", help="directory to release the demand model into if its parity passes (batch predictions)"
    )
    parser.add_argument("--bench", help="directory for bench/results ml-*.json")
    parser.add_argument("--report", help="directory for evaluation.json + evaluation.md")
    parser.add_argument(
        "--row-threshold",
        action="store_true",
        help="pick the alert threshold on validation snapshot rows instead of alerts as received (no harness)",
    )
    parser.add_argument(
        "--harness-history",
        nargs="+",
        help="histories the alert-quality harness replays for the threshold (default: all; each replay is a full edge run)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse --work's snapshots.parquet and mllib/ models of an earlier run (same histories and params)",
    )
    parser.add_argument("--max-iter", type=int, default=TrainingParams.max_iter)
    parser.add_argument("--max-depth", type=int, default=TrainingParams.max_depth)
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
