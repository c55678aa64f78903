"""The released demand model (Spark MLlib GBTRegressor exported to ONNX, signed) run by onnxruntime on
a day's demand feature rows. Which release, by TILLGATE_DEMAND_MODEL:
  - unset or "bundled": the one in the repo, models/releases/demand-forecast;
  - "registry:stable" / "registry:canary": the version that channel of the model registry in S3 points
    at (models/demand-forecast/channels/<channel>.json, what model_training publishes; TG_REGISTRY_*);
  - a directory holding model.onnx, manifest.json and manifest.sig.
Checked before use like the edge checks a release: the ed25519 signature over manifest.json against
the pinned public keys (edge/keys/), the model's sha256 and the feature spec hash. Its output is the
units of the 7 UTC days after the snapshot day (the demand label, models/README.md), never negative.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from tillgate_models.feature_spec import FEATURE_SPEC_HASH, STOCKOUT_FEATURE_NAMES

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RELEASE = REPO / "models" / "releases" / "demand-forecast"
MODEL_NAME = "demand-forecast"
TRUSTED_KEYS = REPO / "edge" / "keys"


class ModelRefused(Exception):
    """The release failed a check; the message says which."""

    code = "TG_DAG_MODEL_REFUSED"


@dataclass(frozen=True)
class DemandModel:
    name: str
    version: str
    manifest: dict
    _session: object

    def forecast_7d(self, features: np.ndarray) -> np.ndarray:
        """Units over the next 7 days per row of `features` (float32, spec order)."""
        if len(features) == 0:
            return np.zeros(0)
        (prediction,) = self._session.run(None, {"features": features.astype(np.float32)})  # type: ignore[attr-defined]
        return np.maximum(0.0, prediction.reshape(-1).astype(np.float64))


def _signed_by_trusted_key(manifest_bytes: bytes, signature: bytes, keys_dir: Path) -> str:
    for pem in sorted(keys_dir.glob("*.pub.pem")):
        try:
            load_pem_public_key(pem.read_bytes()).verify(signature, manifest_bytes)  # type: ignore[union-attr]
            return pem.name.removesuffix(".pub.pem")
        except InvalidSignature:
            continue
    raise ModelRefused(f"manifest.sig verifies against none of the trusted keys in {keys_dir}")


def fetch_from_registry(channel: str, into: Path, config: Any = None) -> Path:
    """Downloads the release the registry channel points at into `into`; returns that directory."""
    from tillgate_models.registry import RELEASE_FILES, RegistryConfig, channel_key, release_key

    config = config or RegistryConfig.from_env()
    s3 = config.s3_client()

    def read(key: str) -> bytes:
        try:
            response = s3.get_object(config.bucket, key)
        except Exception as err:  # minio raises S3Error for a missing key, urllib3 errors for a dead server
            raise ModelRefused(f"model registry {config.bucket}/{key} unreadable: {err}") from err
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    version = json.loads(read(channel_key(MODEL_NAME, channel)))["version"]
    into.mkdir(parents=True, exist_ok=True)
    for file, name in RELEASE_FILES.items():
        (into / name).write_bytes(read(release_key(MODEL_NAME, version, file)))
    return into


def load_demand_model(
    release_dir: Path | None = None, keys_dir: Path = TRUSTED_KEYS, registry: Any = None
) -> DemandModel:
    choice = os.environ.get("TILLGATE_DEMAND_MODEL", "bundled")
    if release_dir is None and choice.startswith("registry:"):
        with tempfile.TemporaryDirectory(prefix="tg-demand-model-") as scratch:
            fetched = fetch_from_registry(choice.removeprefix("registry:"), Path(scratch), registry)
            return _load(fetched, keys_dir)
    return _load(release_dir or (DEFAULT_RELEASE if choice == "bundled" else Path(choice)), keys_dir)


def _load(release_dir: Path, keys_dir: Path) -> DemandModel:
    import onnxruntime as ort

    try:
        manifest_bytes = (release_dir / "manifest.json").read_bytes()
        signature = base64.b64decode((release_dir / "manifest.sig").read_text())
        model_bytes = (release_dir / "model.onnx").read_bytes()
    except OSError as err:
        raise ModelRefused(f"demand model release {release_dir} is incomplete: {err}") from err
    _signed_by_trusted_key(manifest_bytes, signature, keys_dir)
    manifest = json.loads(manifest_bytes)
    if hashlib.sha256(model_bytes).hexdigest() != manifest["sha256"]:
        raise ModelRefused(f"{release_dir}/model.onnx does not have the sha256 its manifest signs")
    if manifest["feature_spec_hash"] != FEATURE_SPEC_HASH or tuple(manifest["features"]) != STOCKOUT_FEATURE_NAMES:
        raise ModelRefused(
            f"demand model {manifest['version']} was trained on feature spec {manifest['feature_spec_hash'][:12]},"
            f" the features are {FEATURE_SPEC_HASH[:12]}: retrain (model_training) before predicting"
        )
    session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    return DemandModel(manifest["name"], manifest["version"], manifest, session)
