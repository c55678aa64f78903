"""Which demand model batch_predictions runs, and the checks a release must pass first: the bundled
release, the registry channel model_training publishes to (real S3 and Kafka of the local stack), a
model whose bytes do not match its manifest, and a manifest signed by a key the edge does not pin.
"""

from __future__ import annotations

import base64
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from tillgate_dags.demand_model import DEFAULT_RELEASE, TRUSTED_KEYS, ModelRefused, load_demand_model
from tillgate_models.feature_spec import STOCKOUT_FEATURE_NAMES
from tillgate_models.registry import MODEL_RELEASES_TOPIC, RegistryConfig, publish_release

BUNDLED_SIGNER = TRUSTED_KEYS / "ed25519-55c1b553221f0780.pub.pem"
ROW = np.array([[12, 3, 4, 4, 4, 3, 5, 30, 2, 23, 0, 1, 0.1, 0.5, 1]], dtype=np.float32)


@pytest.fixture
def registry() -> Iterator[RegistryConfig]:
    run = uuid.uuid4().hex[:10]
    base = RegistryConfig.from_env()
    config = RegistryConfig(
        s3_endpoint=base.s3_endpoint,
        access_key=base.access_key,
        secret_key=base.secret_key,
        bucket=f"tg-dagtest-models-{run}",
        kafka_brokers=base.kafka_brokers,
        topic_prefix=f"t-dagtest-models-{run}.",
    )
    admin = AdminClient({"bootstrap.servers": ",".join(config.kafka_brokers)})
    topic = config.topic_prefix + MODEL_RELEASES_TOPIC
    for future in admin.create_topics([NewTopic(topic, 1, 1)]).values():
        future.result(30)
    yield config
    s3 = config.s3_client()
    if s3.bucket_exists(config.bucket):
        for item in s3.list_objects(config.bucket, recursive=True):
            s3.remove_object(config.bucket, item.object_name)
        s3.remove_bucket(config.bucket)
    for future in admin.delete_topics([topic]).values():
        future.result(30)


def test_the_bundled_release_loads_and_forecasts_7_days_of_units():
    model = load_demand_model()

    assert model.name == "demand-forecast"
    assert ROW.shape[1] == len(STOCKOUT_FEATURE_NAMES)
    assert model.forecast_7d(ROW)[0] >= 0


def test_the_registry_channel_model_training_publishes_to_is_used(
    registry: RegistryConfig, monkeypatch: pytest.MonkeyPatch
):
    signer = load_pem_public_key(BUNDLED_SIGNER.read_bytes())
    publish_release(DEFAULT_RELEASE, signer=signer, config=registry, channel="stable")  # type: ignore[arg-type]
    monkeypatch.setenv("TILLGATE_DEMAND_MODEL", "registry:stable")

    model = load_demand_model(registry=registry)

    bundled = load_demand_model(DEFAULT_RELEASE)
    assert model.version == bundled.version
    assert model.forecast_7d(ROW) == pytest.approx(bundled.forecast_7d(ROW))


def test_a_channel_nobody_published_is_named(registry: RegistryConfig, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TILLGATE_DEMAND_MODEL", "registry:canary")

    with pytest.raises(ModelRefused, match=r"models/demand-forecast/channels/canary\.json unreadable"):
        load_demand_model(registry=registry)


def test_a_model_whose_bytes_differ_from_its_manifest_is_refused(tmp_path: Path):
    release = Path(shutil.copytree(DEFAULT_RELEASE, tmp_path / "release"))
    (release / "model.onnx").write_bytes((release / "model.onnx").read_bytes() + b"\0")

    with pytest.raises(ModelRefused, match="does not have the sha256 its manifest signs"):
        load_demand_model(release)


def test_a_manifest_signed_by_an_unpinned_key_is_refused(tmp_path: Path):
    release = Path(shutil.copytree(DEFAULT_RELEASE, tmp_path / "release"))
    forged = Ed25519PrivateKey.generate().sign((release / "manifest.json").read_bytes())
    (release / "manifest.sig").write_text(base64.b64encode(forged).decode() + "\n")

    with pytest.raises(ModelRefused, match="verifies against none of the trusted keys"):
        load_demand_model(release)
