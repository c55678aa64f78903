"""The training pipeline end to end on a small real simulator history: snapshots through the shared
feature code, MLlib training, our ONNX export, and the parity gate across MLlib, onnxruntime (Python)
and onnxruntime-node (the edge's own StockoutScorer). Sized to take about a minute; the full-size run
is the release command in models/README.md."""

import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyspark.ml.functions import vector_to_array
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tillgate_models.feature_spec import FEATURE_SPEC_HASH, REPO_ROOT, STOCKOUT_FEATURE_NAMES
from tillgate_models.mllib_export import read_saved_gbt
from tillgate_models.onnx_graph import ensemble_to_onnx
from tillgate_models.parity import PARITY_TOLERANCE, check_parity, onnxruntime_python
from tillgate_models.release import TrainingRange, write_release
from tillgate_models.snapshots import WARMUP_DAYS
from tillgate_models.training import DEMAND_LEVEL, TrainedModels, TrainingParams, demand_level, train_models
from tillgate_models.training_data import history_range_ms, snapshot_frame

Trained = tuple[Path, TrainedModels]
SMALL = TrainingParams(max_iter=8, max_depth=4)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("history")
    subprocess.run(
        [
            "npx",
            "tsx",
            "simulators/src/cli.ts",
            "history",
            "--seed",
            "11",
            "--stores",
            "1",
            "--skus",
            "24",
            "--days",
            "60",
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def trained(spark: SparkSession, history: Path, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    work = tmp_path_factory.mktemp("work")
    snapshot_frame(spark, str(history)).write.parquet(str(work / "snapshots.parquet"))
    models = train_models(spark.read.parquet(str(work / "snapshots.parquet")), SMALL)
    models.stockout.write().save(str(work / "stockout"))
    models.demand.write().save(str(work / "demand"))
    return work, models


def test_snapshots_start_after_the_warm_up_and_hold_float32_exact_features(
    spark: SparkSession, trained: Trained, history: Path
):
    work, _ = trained
    snapshots = spark.read.parquet(str(work / "snapshots.parquet")).toPandas()
    start_ms, _ = history_range_ms(spark, str(history))
    assert snapshots["t_ms"].min() >= start_ms + WARMUP_DAYS * 86_400_000
    features = snapshots[list(STOCKOUT_FEATURE_NAMES)].to_numpy()
    assert np.array_equal(features, features.astype(np.float32).astype(np.float64))
    assert set(snapshots["kind"]) == {"stockout", "demand"}
    assert 0 < snapshots.loc[snapshots["kind"] == "stockout", "label"].mean() < 1


def test_stockout_model_passes_the_parity_gate_in_python_and_node(trained: Trained, tmp_path: Path):
    work, models = trained
    scored = models.stockout.transform(models.stockout_holdout)
    rows = scored.select(*STOCKOUT_FEATURE_NAMES, vector_to_array("probability")[1].alias("p")).toPandas()
    x = rows[list(STOCKOUT_FEATURE_NAMES)].to_numpy().astype(np.float32)
    model_bytes = ensemble_to_onnx(read_saved_gbt(work / "stockout"), "stockout-risk", "test").SerializeToString()

    key = Ed25519PrivateKey.generate()
    public_pem = tmp_path / "test-key.pub.pem"
    public_pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    span = TrainingRange(start=datetime(2026, 1, 5, tzinfo=UTC), end=datetime(2026, 2, 5, tzinfo=UTC), rows=len(x))
    manifest = write_release(
        tmp_path / "release",
        model_bytes,
        name="stockout-risk",
        version="0.0.0-test",
        task="stockout-risk",
        training=span,
        metrics={},
        key=key,
    )
    assert manifest["feature_spec_hash"] == FEATURE_SPEC_HASH

    result = check_parity(rows["p"].to_numpy(), model_bytes, x, tmp_path / "release", public_pem)
    assert result.rows == len(x) > 100
    assert result.max_abs_diff_python <= PARITY_TOLERANCE
    assert result.max_abs_diff_node is not None
    assert result.max_abs_diff_node <= PARITY_TOLERANCE
    assert result.passed


def test_the_gate_fails_a_model_that_drifts_from_mllib(trained: Trained):
    work, models = trained
    rows = (
        models.stockout.transform(models.stockout_holdout)
        .select(*STOCKOUT_FEATURE_NAMES, vector_to_array("probability")[1].alias("p"))
        .toPandas()
    )
    x = rows[list(STOCKOUT_FEATURE_NAMES)].to_numpy().astype(np.float32)
    ensemble = read_saved_gbt(work / "stockout")
    # The same trees read as a plain sum instead of MLlib's sigmoid(2 * margin): a plausible exporter bug.
    wrong = ensemble_to_onnx(replace(ensemble, sigmoid_scale=1.0), "wrong", "test").SerializeToString()
    result = check_parity(rows["p"].to_numpy(), wrong, x, None)
    assert not result.passed


def test_demand_model_export_matches_mllib_times_the_level(trained: Trained):
    work, models = trained
    rows = (
        models.demand.transform(models.demand_holdout)
        .select(*STOCKOUT_FEATURE_NAMES, (F.col("prediction") * demand_level()).alias("units"))
        .toPandas()
    )
    x = rows[list(STOCKOUT_FEATURE_NAMES)].to_numpy().astype(np.float32)
    model = ensemble_to_onnx(replace(read_saved_gbt(work / "demand"), level=DEMAND_LEVEL), "demand", "test")
    onnx_units = onnxruntime_python(model.SerializeToString(), x)
    mllib_units = rows["units"].to_numpy()
    assert len(x) > 50
    assert np.max(np.abs(onnx_units - mllib_units) / np.maximum(1.0, np.abs(mllib_units))) <= PARITY_TOLERANCE
