"""dag.test() of model_training against the real local services: a hub (Kafka -> chDB + the S3 lake) fed
a small simulated store, Spark through spark-submit, the model registry in S3 and model-releases on Kafka.

One registry for the module, three runs in order: the first challenger meets an empty stable channel and
is released (signed, announced once); the second, trained on the same data, scores the same and is not
released; a run for a window with no data fails naming it and writes nothing. The simulator's ground
truth only evaluates (TILLGATE_EVALUATION_TRUTH); the labels the model learns are the hub's.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from training_feed import DAYS

DAGS_FOLDER = Path(__file__).resolve().parents[1]
# The run's day: its window is the DAYS whole UTC days before it, the fed history exactly.
LOGICAL_DATE = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
# Few boosting rounds keep the Spark leg short; the pipeline's code path is the same.
CONF = {"history_days": DAYS, "max_iter": 8}


@pytest.fixture(scope="module")
def registry(training_hub: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The DAG's environment: the training hub, a registry bucket and topic prefix of this module's own."""
    from tillgate_models.signing_key import create_signing_key

    hub, fed = training_hub
    tmp = tmp_path_factory.mktemp("model-training")
    key = tmp / "signing.key"
    create_signing_key(key)
    run = uuid.uuid4().hex[:8]
    env = {
        **hub.env,
        "TG_REGISTRY_BUCKET": f"mt-registry-{run}",
        # The hub creates <its topicPrefix>model-releases (hub-topics-setup.ts); the broker auto-creates nothing.
        "TG_REGISTRY_TOPIC_PREFIX": json.loads(hub.config_file.read_text())["topicPrefix"],
        "TG_MODEL_SIGNING_KEY": str(key),
        "TILLGATE_TRAINING_WORK": str(tmp / "work"),
        "TILLGATE_EVALUATION_TRUTH": str(fed.history),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        yield env
    _remove_bucket(env["TG_REGISTRY_BUCKET"])


def _remove_bucket(bucket: str) -> None:
    from tillgate_models.registry import RegistryConfig

    s3 = RegistryConfig.from_env().s3_client()
    if s3.bucket_exists(bucket):
        for item in s3.list_objects(bucket, recursive=True):
            s3.remove_object(bucket, item.object_name)
        s3.remove_bucket(bucket)


def registry_objects(env: dict[str, str]) -> dict[str, bytes]:
    from tillgate_models.registry import RegistryConfig

    s3 = RegistryConfig.from_env({**os.environ, **env}).s3_client()
    bucket = env["TG_REGISTRY_BUCKET"]
    if not s3.bucket_exists(bucket):
        return {}
    objects = {}
    for item in s3.list_objects(bucket, recursive=True):
        if item.object_name.endswith("/"):  # s3proxy lists the "folders" of a key as empty objects
            continue
        response = s3.get_object(bucket, item.object_name)
        objects[item.object_name] = response.read()
        response.close()
        response.release_conn()
    return objects


def release_messages(env: dict[str, str]) -> list[dict[str, Any]]:
    """Every message on this module's model-releases topic, from the beginning."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    from tillgate_models.registry import MODEL_RELEASES_TOPIC, RegistryConfig

    config = RegistryConfig.from_env({**os.environ, **env})
    topic = config.topic_prefix + MODEL_RELEASES_TOPIC
    consumer = Consumer(
        {
            "bootstrap.servers": ",".join(config.kafka_brokers),
            "group.id": f"mt-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=30).topics[topic]
        if metadata.error is not None:  # the topic does not exist: nothing was ever announced
            return []
        messages = []
        for partition in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)
            if high == low:
                continue
            consumer.assign([TopicPartition(topic, partition, low)])
            while len(messages) < high - low:
                record = consumer.poll(30)
                if record is None:
                    raise AssertionError(f"{topic}[{partition}] did not deliver offsets {low}..{high}")
                if record.error():
                    raise KafkaException(record.error())
                messages.append(json.loads(record.value()))
        return messages
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def dag(airflow_db: None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=DAGS_FOLDER / "model_training.py").dags["model_training"]


def xcom(run: Any, task_id: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id, key="return_value")
            .one_or_none()
        )
        return None if row is None else XComModel.deserialize_value(row)


def states(run: Any) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_a_challenger_with_no_champion_is_released_signed_and_announced_once(dag: Any, registry: dict[str, str]):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from tillgate_models.feature_spec import FEATURE_SPEC_HASH

    run = dag.test(logical_date=LOGICAL_DATE, run_conf=CONF)

    assert run.state == "success", states(run)
    decision = xcom(run, "decide")
    assert decision["release"] is True
    assert decision["reason"].startswith("no champion on the stable channel")
    assert decision["metric"] == "pr_auc_observed"
    assert decision["holdout_observed_positives"] > 0
    # The ground truth evaluated (and only evaluated) the challenger on the same holdout.
    assert 0 < decision["challenger"]["pr_auc_ground_truth"] <= 1
    trained = xcom(run, "train")
    assert trained["trained_rows"] > 0
    assert trained["parity_max_abs_diff"] <= 1e-5
    version = decision["challenger"]["version"]
    objects = registry_objects(registry)
    base = f"models/stockout-risk/{version}/"
    assert sorted(objects) == sorted(
        [
            "models/stockout-risk/channels/stable.json",
            base + "manifest.json",
            base + "manifest.sig",
            base + "model.onnx",
        ]
    )
    manifest = json.loads(objects[base + "manifest.json"])
    assert manifest["feature_spec_hash"] == FEATURE_SPEC_HASH
    assert manifest["training_data"]["rows"] == trained["trained_rows"]
    public = load_pem_public_key(Path(registry["TG_MODEL_SIGNING_KEY"] + ".pub.pem").read_bytes())
    public.verify(base64.b64decode(objects[base + "manifest.sig"]), objects[base + "manifest.json"])  # raises if bad
    assert json.loads(objects["models/stockout-risk/channels/stable.json"])["version"] == version
    messages = release_messages(registry)
    assert [(m["manifest"]["name"], m["manifest"]["version"]) for m in messages] == [("stockout-risk", version)]
    assert xcom(run, "publish")["version"] == version
    assert not any(Path(registry["TILLGATE_TRAINING_WORK"]).iterdir()), "the run folder is cleaned up"


def test_a_challenger_that_does_not_beat_the_champion_releases_nothing(dag: Any, registry: dict[str, str]):
    before = registry_objects(registry)
    assert before, "runs after the first test: the registry holds its champion"
    champion = json.loads(before["models/stockout-risk/channels/stable.json"])["version"]

    # The same data and seed: the challenger ranks the holdout exactly as the champion does.
    run = dag.test(logical_date=LOGICAL_DATE, run_conf=CONF)

    assert run.state == "success", states(run)
    decision = xcom(run, "decide")
    assert decision["release"] is False
    assert decision["champion"]["version"] == champion
    assert decision["challenger"]["pr_auc_observed"] == decision["champion"]["pr_auc_observed"]
    assert "does not beat champion" in decision["reason"]
    assert xcom(run, "publish") is None
    assert registry_objects(registry) == before
    assert len(release_messages(registry)) == 1


def test_a_window_without_data_fails_naming_it_and_writes_nothing(
    dag: Any, registry: dict[str, str], task_errors: dict[str, BaseException | None]
):
    before = registry_objects(registry)
    messages = len(release_messages(registry))

    # After the DAG's start_date (a run before it is never scheduled), before the fed history: no sale at all.
    run = dag.test(logical_date=datetime(2026, 2, 15, 2, 0, tzinfo=UTC), run_conf=CONF)

    assert run.state == "failed"
    assert "the lake has no sales for 2025-12-17..2026-02-14" in str(task_errors["training_input"])
    assert states(run) == {
        "training_input": "failed",
        "train": "upstream_failed",
        "decide": "upstream_failed",
        "publish": "upstream_failed",
        "cleanup": "success",
    }
    assert registry_objects(registry) == before
    assert len(release_messages(registry)) == messages
    work = Path(registry["TILLGATE_TRAINING_WORK"])
    assert not work.exists() or not any(work.iterdir()), "nothing partial left in the work folder"
