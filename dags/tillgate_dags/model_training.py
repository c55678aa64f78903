"""The weekly retraining (model_training DAG): hub data -> Spark MLlib via spark-submit -> champion /
challenger on one holdout -> signed release into the registry + one modelRelease, or nothing.

Steps, one task each (the DAG file only wires them), all in one run folder under the work root:

1. input:   training_input.build_training_input -> <run>/input (a history-layout folder of what the hub saw)
2. train:   spark-submit models/train_job.py on it (local master here, a cluster's by TILLGATE_SPARK_MASTER):
            snapshots through the one feature definition, GBT fit, ONNX export, parity gate, a release
            signed with the configured key into <run>/release. Nothing leaves the run folder.
3. decide:  tillgate_models.champion.decide against the registry's stable channel, on the same holdout.
4. publish: only if the challenger won: registry.publish_release on `stable` (+ one modelRelease).
5. cleanup: the run folder goes (teardown, ALL_DONE); the decision and the metrics are in the task logs
            and XComs.

Settings (environment, with local-stack defaults): TILLGATE_SPARK_SUBMIT (default the venv's
spark-submit), TILLGATE_SPARK_MASTER (local[2]), TILLGATE_SPARK_CONF (extra `k=v` pairs, comma-separated,
e.g. executor sizes for a cluster), TILLGATE_TRAINING_WORK (run folders; on a cluster a path the
executors share), TG_MODEL_SIGNING_KEY (the ed25519 key file; never created here), TG_REGISTRY_* (the
registry, registry.py), TILLGATE_EVALUATION_TRUTH (a simulator history folder: its stockouts.parquet is
scored next to the observed labels as an evaluation; tests and benchmarks only, it decides nothing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tillgate_dags.settings import REPO

MODEL_NAME = "stockout-risk"
LOCAL_SPARK_CONF = (
    # The pipeline's local sizing (models/tillgate_models/spark_session.py), which it skips once
    # spark-submit has set a master: a 2-core box, no UI port, few shuffle partitions.
    "spark.ui.enabled=false",
    "spark.sql.shuffle.partitions=4",
    "spark.default.parallelism=2",
    "spark.driver.bindAddress=127.0.0.1",
    "spark.driver.host=127.0.0.1",
)


class TrainingRunError(Exception):
    """The training step failed; the message says which and carries the end of its log."""

    code = "TG_DAG_TRAINING"


@dataclass(frozen=True)
class TrainingSettings:
    spark_submit: str
    spark_master: str
    spark_conf: tuple[str, ...]
    work_root: Path
    signing_key: str | None
    evaluation_truth: Path | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrainingSettings:
        env = os.environ if env is None else env
        extra = tuple(pair.strip() for pair in env.get("TILLGATE_SPARK_CONF", "").split(",") if pair.strip())
        truth = env.get("TILLGATE_EVALUATION_TRUTH")
        return cls(
            spark_submit=env.get("TILLGATE_SPARK_SUBMIT", str(Path(sys.executable).parent / "spark-submit")),
            spark_master=env.get("TILLGATE_SPARK_MASTER", "local[2]"),
            spark_conf=extra,
            work_root=Path(env.get("TILLGATE_TRAINING_WORK", str(REPO / ".run" / "model-training"))),
            signing_key=env.get("TG_MODEL_SIGNING_KEY") or None,
            evaluation_truth=Path(truth) if truth else None,
        )


def run_folder(settings: TrainingSettings, run_id: str) -> Path:
    """One folder per DAG run; a re-run of the same run id starts it again from scratch."""
    return settings.work_root / re.sub(r"[^A-Za-z0-9._-]", "_", run_id)


def spark_submit_command(settings: TrainingSettings, folder: Path, *, max_iter: int | None = None) -> list[str]:
    from tillgate_models.spark_session import build_package_archive

    # The pandas folds run in Spark's Python workers: ship the package (and the feature spec inside it).
    archive = build_package_archive(folder / "tillgate_models.zip")
    conf = [*(LOCAL_SPARK_CONF if settings.spark_master.startswith("local") else ()), *settings.spark_conf]
    # spark-submit logs at INFO (thousands of lines per run); the task log keeps warnings and the pipeline's own output.
    command = [settings.spark_submit, "--master", settings.spark_master, "--driver-memory", "1g"]
    command += ["--conf", "spark.log.level=WARN"]
    for pair in conf:
        command += ["--conf", pair]
    command += ["--py-files", str(archive), str(REPO / "models" / "train_job.py")]
    command += ["--history", str(folder / "input"), "--labels", "labels.parquet"]
    command += ["--work", str(folder / "spark"), "--release", str(folder / "release"), "--row-threshold"]
    if settings.signing_key:
        command += ["--signing-key", settings.signing_key]
    if max_iter is not None:
        command += ["--max-iter", str(max_iter)]
    return command


def train(settings: TrainingSettings, folder: Path, *, max_iter: int | None = None) -> dict[str, Any]:
    """Runs the pipeline through spark-submit, streaming its log; returns its evaluation summary."""
    from tillgate_models.signing_key import load_signing_key, signing_key_path

    # Before Spark starts: a missing key stops the run at once (signing_key.py never creates one).
    load_signing_key(signing_key_path(settings.signing_key))
    if not (folder / "input" / "manifest.json").exists():
        raise TrainingRunError(f"{folder / 'input'} holds no training input; the input task must run first")
    shutil.rmtree(folder / "spark", ignore_errors=True)
    shutil.rmtree(folder / "release", ignore_errors=True)
    command = spark_submit_command(settings, folder, max_iter=max_iter)
    print("spark-submit:", " ".join(command), flush=True)
    env = {
        **os.environ,
        "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
        "PYTHONPATH": os.pathsep.join([str(REPO / "models"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    tail: list[str] = []
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            # Spark's progress bars are carriage-return redraws: keep the task log readable.
            if "[Stage " in line:
                continue
            print(line, end="", flush=True)
            tail = [*tail[-40:], line]
    summary_file = folder / "spark" / "evaluation.json"
    if process.returncode != 0:
        raise TrainingRunError(
            f"spark-submit exited {process.returncode} (a failed parity gate exits 1 and releases nothing); "
            f"last lines:\n{''.join(tail)}"
        )
    if not (folder / "release" / "manifest.sig").exists():
        raise TrainingRunError(f"the pipeline exited 0 but wrote no signed release into {folder / 'release'}")
    return json.loads(summary_file.read_text())


def training_metrics(folder: Path, summary: Mapping[str, Any]) -> dict[str, Any]:
    """What the task log and XCom keep of the pipeline's summary and of the release it signed."""
    stockout = summary["stockout"]
    manifest = json.loads((folder / "release" / "manifest.json").read_text())
    return {
        "version": summary["version"],
        "trained_rows": manifest["training_data"]["rows"],
        "trained_from": manifest["training_data"]["from"],
        "trained_to": manifest["training_data"]["to"],
        "holdout_rows": int(stockout["holdout_rows"]),
        "holdout_positive_rate": stockout["holdout_positive_rate"],
        "pr_auc_observed": stockout["pr_auc"],
        "alert_threshold": stockout["alert_threshold"],
        "parity_max_abs_diff": summary["parity"]["stockout"]["max_abs_diff_python"],
        "parity_node_max_abs_diff": summary["parity"]["stockout"]["max_abs_diff_node"],
    }


def decide(settings: TrainingSettings, folder: Path, *, min_gain: float) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.parquet as pq

    from tillgate_models.champion import HOLDOUT_FILE, decide, read_champion
    from tillgate_models.registry import RegistryConfig

    holdout = pd.read_parquet(folder / "spark" / HOLDOUT_FILE)
    truth = None
    if settings.evaluation_truth is not None:
        table = pq.read_table(settings.evaluation_truth / "stockouts.parquet").to_pandas()
        epoch, ms = pd.Timestamp(0, tz="UTC"), pd.Timedelta(milliseconds=1)
        truth = pd.DataFrame(
            {
                "store_id": table["store_id"],
                "sku": table["sku"],
                "start_ms": (table["start"] - epoch) // ms,
                "end_ms": (table["end"] - epoch) / ms,  # NaN while still out
            }
        )
    champion = read_champion(RegistryConfig.from_env(), MODEL_NAME)
    decision = decide(holdout, folder / "release", champion, min_gain=min_gain, truth=truth)
    result = decision.as_json()
    (folder / "decision.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def publish(settings: TrainingSettings, folder: Path, decision: Mapping[str, Any]) -> dict[str, Any] | None:
    """Publishes the challenger on `stable` if it won; None (nothing written anywhere) if it did not."""
    from tillgate_models.registry import RegistryConfig, publish_release
    from tillgate_models.signing_key import load_signing_key, signing_key_path

    if not decision["release"]:
        return None
    signer = load_signing_key(signing_key_path(settings.signing_key)).public_key()
    message = publish_release(folder / "release", signer=signer, channel="stable", config=RegistryConfig.from_env())
    return {
        "name": message["manifest"]["name"],
        "version": message["manifest"]["version"],
        "object_key": message["object_key"],
        "key_id": message["key_id"],
        "released_at": message["released_at"],
    }


def cleanup(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
