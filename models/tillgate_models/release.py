"""Release artifact: model.onnx + manifest.json (shared `modelManifest`) + manifest.sig (ed25519).

The signature covers the exact bytes of manifest.json, and the manifest carries the ONNX sha256 and the
feature spec hash, so one signature check on the edge pins all three (edge/src/scoring/model-verification.ts).
The private key never enters the repo: it lives under ~/.cache/tillgate/keys (or TG_MODEL_SIGNING_KEY)
and is generated on first use; its public key is written to edge/keys/<key_id>.pub.pem, which the edge
trusts. A production signer keeps its key elsewhere and commits only its public key the same way.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .feature_spec import FEATURE_SPEC_HASH, REPO_ROOT, STOCKOUT_FEATURE_NAMES

EDGE_KEYS_DIR = REPO_ROOT / "edge" / "keys"
DEFAULT_KEY_PATH = Path.home() / ".cache" / "tillgate" / "keys" / "model-signing-dev.ed25519.pem"


@dataclass(frozen=True)
class TrainingRange:
    start: datetime
    end: datetime
    rows: int


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signing_key_path() -> Path:
    return Path(os.environ.get("TG_MODEL_SIGNING_KEY", DEFAULT_KEY_PATH))


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: the model signing key must be an ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def publish_public_key(key: Ed25519PrivateKey, keys_dir: Path = EDGE_KEYS_DIR) -> str:
    """Writes the public key next to the edge's trusted keys; returns its key id."""
    public = key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = "dev-" + hashlib.sha256(raw).hexdigest()[:16]
    keys_dir.mkdir(parents=True, exist_ok=True)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    target = keys_dir / f"{key_id}.pub.pem"
    if not target.exists() or target.read_bytes() != pem:
        target.write_bytes(pem)
    return key_id


def write_release(
    out_dir: Path,
    model_bytes: bytes,
    *,
    name: str,
    version: str,
    task: str,
    training: TrainingRange,
    metrics: dict[str, float],
    key: Ed25519PrivateKey,
) -> dict:
    manifest = {
        "name": name,
        "version": version,
        "task": task,
        "feature_spec_hash": FEATURE_SPEC_HASH,
        "features": list(STOCKOUT_FEATURE_NAMES),
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "created_at": iso(datetime.now(UTC)),
        "training_data": {"from": iso(training.start), "to": iso(training.end), "rows": training.rows},
        "metrics": {metric: float(value) for metric, value in sorted(metrics.items())},
    }
    manifest_bytes = (json.dumps(manifest, indent=2) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "model.onnx").write_bytes(model_bytes)
    (out_dir / "manifest.json").write_bytes(manifest_bytes)
    (out_dir / "manifest.sig").write_text(base64.b64encode(key.sign(manifest_bytes)).decode() + "\n")
    return manifest
