"""Publishes a signed release into the model registry and announces it (MISSION.md "Hub"):

    models/<name>/<version>/{model.onnx,manifest.json,manifest.sig}   immutable, manifest.sig written last
    models/<name>/channels/<stable|canary>.json                        pointer to a version (optional)
    one modelRelease message (shared/src/contracts/model-release.ts) on model-releases, keyed by name

Used by the training pipeline (`pipeline.py --publish`) and the Airflow model_training DAG:

    from tillgate_models.registry import RegistryConfig, publish_release
    from tillgate_models.signing_key import load_signing_key, signing_key_path
    signer = load_signing_key(signing_key_path()).public_key()
    message = publish_release(Path("release-dir"), signer=signer, channel="canary", config=RegistryConfig.from_env())

or from a shell: `python -m tillgate_models.registry publish DIR --channel canary` (same environment).

The key layout is the one in shared/src/registry/registry-layout.ts; both are checked against
shared/examples/registry/layout.json. A publish can be repeated after a crash at any point: objects
already there with the same bytes are kept, a version already published with other bytes is refused
(versions are immutable), and consumers dedupe modelRelease messages by (name, version).
"""

import argparse
import base64
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .feature_spec import REPO_ROOT
from .signing_key import SigningKeyError, key_id_of, load_signing_key, signing_key_path

RELEASE_FILES: Mapping[str, str] = {"model": "model.onnx", "manifest": "manifest.json", "signature": "manifest.sig"}
CHANNELS: tuple[str, ...] = ("stable", "canary")
MODEL_RELEASES_TOPIC = "model-releases"
DEFAULT_BUCKET = "tillgate-models"

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
_VERSION = re.compile(r"^[0-9A-Za-z.+-]{1,64}$")


class RegistryError(Exception):
    """The release cannot be published as given; the message says what to fix. Nothing was changed
    unless the message says so."""


def release_key(name: str, version: str, file: str) -> str:
    return f"models/{name}/{version}/{RELEASE_FILES[file]}"


def channel_key(name: str, channel: str) -> str:
    if channel not in CHANNELS:
        raise RegistryError(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
    return f"models/{name}/channels/{channel}.json"


def _local_stack_env(env: Mapping[str, str]) -> dict[str, str]:
    """The local stack's ports as deploy/local/lib.sh and the TS side read them: TG_* variables set in the
    environment win over the checkout's ports.local.env, which wins over deploy/local/ports.env."""
    values: dict[str, str] = {}
    for path in (REPO_ROOT / "deploy/local/ports.env", REPO_ROOT / "deploy/local/ports.local.env"):
        if path.exists():
            for line in path.read_text().splitlines():
                match = re.match(r"^\s*([A-Z0-9_]+)=(.*)$", line)
                if match:
                    values[match[1]] = match[2].strip()
    return {**values, **{k: v for k, v in env.items() if k.startswith("TG_")}}


@dataclass(frozen=True)
class RegistryConfig:
    s3_endpoint: str  # "host:port" of MinIO (production) or the local s3proxy
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    bucket: str = DEFAULT_BUCKET
    secure: bool = False
    region: str = "us-east-1"
    kafka_brokers: tuple[str, ...] = ()
    topic_prefix: str = ""  # as the edge and hub's kafka.topicPrefix (isolated tests, multi-chain hubs)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "RegistryConfig":
        """TG_REGISTRY_* variables; anything unset falls back to the local stack (deploy/local/ports.env)."""
        env = os.environ if env is None else env
        stack = _local_stack_env(env)
        return cls(
            s3_endpoint=env.get("TG_REGISTRY_S3_ENDPOINT", f"127.0.0.1:{stack.get('TG_S3_PORT', '18333')}"),
            access_key=env.get("TG_REGISTRY_S3_ACCESS_KEY", stack.get("TG_S3_ACCESS_KEY", "")),
            secret_key=env.get("TG_REGISTRY_S3_SECRET_KEY", stack.get("TG_S3_SECRET_KEY", "")),
            bucket=env.get("TG_REGISTRY_BUCKET", DEFAULT_BUCKET),
            secure=env.get("TG_REGISTRY_S3_SECURE", "false") == "true",
            region=env.get("TG_REGISTRY_S3_REGION", "us-east-1"),
            kafka_brokers=tuple(
                env.get("TG_REGISTRY_KAFKA_BROKERS", f"127.0.0.1:{stack.get('TG_KAFKA_PORT', '19092')}").split(",")
            ),
            topic_prefix=env.get("TG_REGISTRY_TOPIC_PREFIX", ""),
        )

    def s3_client(self) -> Any:
        from minio import Minio

        return Minio(
            self.s3_endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=self.secure,
            region=self.region,
        )


@dataclass(frozen=True)
class _Release:
    manifest: dict
    files: dict[str, bytes]


def _read_release(release_dir: Path, signer: Ed25519PublicKey) -> _Release:
    files: dict[str, bytes] = {}
    for role, file_name in RELEASE_FILES.items():
        path = release_dir / file_name
        if not path.is_file():
            raise RegistryError(f"{path}: missing; a release directory holds {', '.join(RELEASE_FILES.values())}")
        files[role] = path.read_bytes()
    try:
        manifest = json.loads(files["manifest"])
    except ValueError as error:
        raise RegistryError(f"{release_dir / RELEASE_FILES['manifest']}: not JSON ({error})") from error
    name, version = manifest.get("name"), manifest.get("version")
    if not isinstance(name, str) or not _NAME.match(name):
        raise RegistryError(f"manifest name {name!r} must be lower-case kebab-case (shared modelManifest)")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise RegistryError(f"manifest version {version!r} must be a semver-like string (shared modelManifest)")
    actual = hashlib.sha256(files["model"]).hexdigest()
    if manifest.get("sha256") != actual:
        raise RegistryError(
            f"{name}@{version}: model.onnx hashes to {actual}, the manifest says {manifest.get('sha256')}"
        )
    # Refuse here what every edge would refuse: a release whose signature does not verify with the signer given.
    try:
        signer.verify(base64.b64decode(files["signature"].strip(), validate=True), files["manifest"])
    except (InvalidSignature, ValueError) as error:
        raise RegistryError(
            f"{name}@{version}: manifest.sig does not verify against signing key {key_id_of(signer)}"
        ) from error
    return _Release(manifest, files)


def _existing(s3: Any, bucket: str, key: str) -> bytes | None:
    from minio.error import S3Error

    try:
        response = s3.get_object(bucket, key)
    except S3Error as error:
        if error.code in ("NoSuchKey", "NotFound"):
            return None
        raise
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def _put(s3: Any, bucket: str, key: str, body: bytes, content_type: str) -> None:
    s3.put_object(bucket, key, io.BytesIO(body), len(body), content_type=content_type)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _announce(config: RegistryConfig, message: dict, producer: Any | None) -> None:
    if producer is None:
        from confluent_kafka import Producer

        producer = Producer(
            {"bootstrap.servers": ",".join(config.kafka_brokers), "enable.idempotence": True, "acks": "all"}
        )
    failures: list[str] = []

    def delivered(error: Any, _record: Any) -> None:
        if error is not None:
            failures.append(str(error))

    producer.produce(
        config.topic_prefix + MODEL_RELEASES_TOPIC,
        key=message["manifest"]["name"].encode(),
        value=json.dumps(message).encode(),
        on_delivery=delivered,
    )
    if producer.flush(30) > 0 or failures:
        raise RegistryError(
            f"the release is in the registry but its modelRelease message was not delivered to "
            f"{config.topic_prefix + MODEL_RELEASES_TOPIC} ({'; '.join(failures) or 'timed out after 30 s'}); "
            "publish again: the objects are kept and only the message is sent"
        )


def publish_release(
    release_dir: Path,
    *,
    signer: Ed25519PublicKey,
    config: RegistryConfig,
    channel: str | None = None,
    s3: Any | None = None,
    producer: Any | None = None,
    now: datetime | None = None,
) -> dict:
    """Uploads the release, moves `channel` to it (if given) and sends one modelRelease; returns that message."""
    if channel is not None:
        channel_key("x", channel)  # validates before anything is written
    release = _read_release(release_dir, signer)
    name, version = release.manifest["name"], release.manifest["version"]
    key_id = key_id_of(signer)
    s3 = s3 or config.s3_client()
    if not s3.bucket_exists(config.bucket):
        s3.make_bucket(config.bucket)
    signature_key = release_key(name, version, "signature")
    published = _existing(s3, config.bucket, signature_key)
    if published is not None:
        manifest_there = _existing(s3, config.bucket, release_key(name, version, "manifest"))
        if manifest_there != release.files["manifest"] or published != release.files["signature"]:
            raise RegistryError(
                f"{name}@{version} is already published with other bytes; versions are immutable, release a new version"
            )
    else:
        # manifest.sig last: a reader lists a version only once its signature exists (versionOfKey).
        _put(s3, config.bucket, release_key(name, version, "model"), release.files["model"], "application/octet-stream")
        _put(s3, config.bucket, release_key(name, version, "manifest"), release.files["manifest"], "application/json")
        _put(s3, config.bucket, signature_key, release.files["signature"], "text/plain")
    released_at = _iso(now or datetime.now(UTC))
    if channel is not None:
        pointer = {
            "schema": 1,
            "name": name,
            "channel": channel,
            "version": version,
            "key_id": key_id,
            "updated_at": released_at,
        }
        _put(
            s3,
            config.bucket,
            channel_key(name, channel),
            (json.dumps(pointer, indent=2) + "\n").encode(),
            "application/json",
        )
    message = {
        "schema": 1,
        "manifest": release.manifest,
        "object_key": release_key(name, version, "model"),
        "signature": release.files["signature"].decode().strip(),
        "key_id": key_id,
        "released_at": released_at,
    }
    _announce(config, message, producer)
    return message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    publish = commands.add_parser("publish", help="publish a release directory into the registry")
    publish.add_argument("release_dir", type=Path)
    publish.add_argument("--channel", choices=CHANNELS)
    publish.add_argument("--signing-key", help="the key that signed it (default $TG_MODEL_SIGNING_KEY)")
    args = parser.parse_args()
    try:
        signer = load_signing_key(signing_key_path(args.signing_key)).public_key()
        message = publish_release(
            args.release_dir, signer=signer, channel=args.channel, config=RegistryConfig.from_env()
        )
    except (RegistryError, SigningKeyError) as error:
        sys.exit(f"registry: {error}")
    print(
        json.dumps(
            {
                "published": f"{message['manifest']['name']}@{message['manifest']['version']}",
                "key_id": message["key_id"],
            }
        )
    )


if __name__ == "__main__":
    main()
