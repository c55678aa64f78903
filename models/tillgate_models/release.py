"""Release artifact: model.onnx + manifest.json (shared `modelManifest`) + manifest.sig (ed25519).

The signature covers the exact bytes of manifest.json, and the manifest carries the ONNX sha256 and the
feature spec hash, so one signature check on the edge pins all three (edge/src/scoring/model-verification.ts).
The private key is configured (signing_key.py) and never enters the repo; which keys the edge trusts is
the operator's choice in the agent config, never something a training run writes.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .feature_spec import FEATURE_SPEC_HASH, STOCKOUT_FEATURE_NAMES


@dataclass(frozen=True)
class TrainingRange:
    start: datetime
    end: datetime
    rows: int


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
