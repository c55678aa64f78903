"""The registry publisher against the real local s3proxy and Kafka (deploy/local/services.sh up): the
layout both sides check (shared/examples/registry/layout.json), one modelRelease per publish, immutable
versions, a re-publish after a crash, and releases refused before anything is written."""

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tillgate_models.feature_spec import REPO_ROOT
from tillgate_models.registry import (
    CHANNELS,
    MODEL_RELEASES_TOPIC,
    RegistryConfig,
    RegistryError,
    channel_key,
    publish_release,
    release_key,
)
from tillgate_models.release import TrainingRange, write_release
from tillgate_models.signing_key import SigningKeyError, create_signing_key, key_id_of, load_signing_key

LAYOUT = json.loads((REPO_ROOT / "shared/examples/registry/layout.json").read_text())


def test_keys_match_the_shared_layout() -> None:
    name, version, keys = LAYOUT["name"], LAYOUT["version"], LAYOUT["keys"]
    assert release_key(name, version, "model") == keys["model"]
    assert release_key(name, version, "manifest") == keys["manifest"]
    assert release_key(name, version, "signature") == keys["signature"]
    assert channel_key(name, "stable") == keys["channel_stable"]
    assert channel_key(name, "canary") == keys["channel_canary"]
    assert set(CHANNELS) == {"stable", "canary"}
    assert LAYOUT["topic"] == MODEL_RELEASES_TOPIC


def test_stack_ports_set_in_the_environment_win_over_the_ports_files() -> None:
    # As deploy/local/lib.sh and shared/src/local-stack.ts read them: bench/setup-cold.sh moves its
    # stack with TG_*_PORT variables, and the registry tests then dialled the default Kafka port.
    config = RegistryConfig.from_env({"TG_KAFKA_PORT": "24592", "TG_S3_PORT": "23833"})
    assert config.kafka_brokers == ("127.0.0.1:24592",)
    assert config.s3_endpoint == "127.0.0.1:23833"
    assert config.access_key != ""  # the rest still comes from deploy/local/ports.env


def test_the_key_id_of_the_bundled_signer_is_the_pinned_one() -> None:
    from cryptography.hazmat.primitives import serialization

    pem = (REPO_ROOT / "edge/keys" / f"{LAYOUT['channel']['key_id']}.pub.pem").read_bytes()
    assert key_id_of(serialization.load_pem_public_key(pem)) == LAYOUT["channel"]["key_id"]  # type: ignore[arg-type]


def test_a_missing_signing_key_is_an_error_never_created(tmp_path: Path) -> None:
    path = tmp_path / "absent.pem"
    with pytest.raises(SigningKeyError, match="does not exist"):
        load_signing_key(path)
    assert not path.exists()
    key_id = create_signing_key(path)
    assert key_id == key_id_of(load_signing_key(path).public_key())
    assert (path.stat().st_mode & 0o777) == 0o600
    with pytest.raises(FileExistsError):
        create_signing_key(path)


@pytest.fixture
def config() -> Iterator[RegistryConfig]:
    run = uuid.uuid4().hex[:10]
    base = RegistryConfig.from_env()
    config = RegistryConfig(
        s3_endpoint=base.s3_endpoint,
        access_key=base.access_key,
        secret_key=base.secret_key,
        bucket=f"tg-registry-{run}",
        kafka_brokers=base.kafka_brokers,
        topic_prefix=f"t-registry-{run}.",
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


def release_dir(tmp_path: Path, key: Ed25519PrivateKey, version: str, model: bytes = b"onnx-bytes") -> Path:
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    target = tmp_path / version
    write_release(
        target,
        model,
        name="stockout-risk",
        version=version,
        task="stockout-risk",
        training=TrainingRange(moment, moment, 10),
        metrics={"alert_threshold": 0.2},
        key=key,
    )
    return target


def releases_on_topic(config: RegistryConfig, expected: int) -> list[dict]:
    consumer = Consumer(
        {
            "bootstrap.servers": ",".join(config.kafka_brokers),
            "group.id": f"tg-registry-test-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([config.topic_prefix + MODEL_RELEASES_TOPIC])
    messages: list[dict] = []
    try:
        for _ in range(60):
            record = consumer.poll(1.0)
            if record is not None and record.error() is None:
                assert record.key() == b"stockout-risk"
                messages.append(json.loads(record.value()))
            if len(messages) >= expected and record is None:
                break
    finally:
        consumer.close()
    return messages


def test_publish_writes_the_layout_moves_the_channel_and_announces_once(tmp_path: Path, config: RegistryConfig) -> None:
    key = Ed25519PrivateKey.generate()
    source = release_dir(tmp_path, key, "1.0.0")
    message = publish_release(source, signer=key.public_key(), config=config, channel="canary")

    s3 = config.s3_client()
    for role in ("model", "manifest", "signature"):
        stored = s3.get_object(config.bucket, release_key("stockout-risk", "1.0.0", role)).read()
        assert (
            stored
            == (
                source / {"model": "model.onnx", "manifest": "manifest.json", "signature": "manifest.sig"}[role]
            ).read_bytes()
        )
    pointer = json.loads(s3.get_object(config.bucket, channel_key("stockout-risk", "canary")).read())
    assert pointer | {"updated_at": None} == {
        "schema": 1,
        "name": "stockout-risk",
        "channel": "canary",
        "version": "1.0.0",
        "key_id": key_id_of(key.public_key()),
        "updated_at": None,
    }
    assert message["object_key"] == "models/stockout-risk/1.0.0/model.onnx"
    assert base64.b64decode(message["signature"]) == base64.b64decode((source / "manifest.sig").read_text())
    assert releases_on_topic(config, 1) == [message]


def test_a_republish_after_a_crash_keeps_the_objects_and_a_changed_version_is_refused(
    tmp_path: Path, config: RegistryConfig
) -> None:
    key = Ed25519PrivateKey.generate()
    source = release_dir(tmp_path, key, "2.0.0")
    publish_release(source, signer=key.public_key(), config=config)
    publish_release(source, signer=key.public_key(), config=config, channel="stable")
    other = release_dir(tmp_path / "other", key, "2.0.0", model=b"different-bytes")
    with pytest.raises(RegistryError, match="immutable"):
        publish_release(other, signer=key.public_key(), config=config)
    stored = config.s3_client().get_object(config.bucket, release_key("stockout-risk", "2.0.0", "model")).read()
    assert stored == b"onnx-bytes"
    assert len(releases_on_topic(config, 2)) == 2


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("tampered-model", "hashes to"),
        ("wrong-signer", "does not verify"),
        ("bad-channel", "is not one of"),
    ],
)
def test_a_bad_release_is_refused_before_anything_is_written(
    tmp_path: Path, config: RegistryConfig, damage: str, reason: str
) -> None:
    key = Ed25519PrivateKey.generate()
    source = release_dir(tmp_path, key, "3.0.0")
    signer = key.public_key()
    channel = "canary"
    if damage == "tampered-model":
        (source / "model.onnx").write_bytes(b"onnx-bytez")
    elif damage == "wrong-signer":
        signer = Ed25519PrivateKey.generate().public_key()
    else:
        channel = "beta"
    with pytest.raises(RegistryError, match=reason):
        publish_release(source, signer=signer, config=config, channel=channel)
    s3 = config.s3_client()
    assert not s3.bucket_exists(config.bucket) or list(s3.list_objects(config.bucket, recursive=True)) == []
