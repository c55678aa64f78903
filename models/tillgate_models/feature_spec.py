"""The feature spec file (shared/features/stockout-features.v2.json): names, caps and its hash.

The bytes are read once and hashed as they are, exactly like shared/src/features/feature-spec.ts does,
so a model manifest's feature_spec_hash means the same thing on both sides.
"""

import hashlib
import json
from importlib import resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "shared" / "features" / "stockout-features.v2.json"
GOLDEN_DIR = REPO_ROOT / "shared" / "features" / "golden"

# Spark's Python workers import this package from a zip (spark_session.ship_package) that carries a
# copy of the spec's bytes next to the modules; the snapshot rows carry no hash, so the copy is made at ship time from the same file.
SPEC_FILE_NAME = SPEC_PATH.name
_SPEC_BYTES = (
    SPEC_PATH.read_bytes() if SPEC_PATH.exists() else resources.files(__package__).joinpath(SPEC_FILE_NAME).read_bytes()
)
_SPEC = json.loads(_SPEC_BYTES)

FEATURE_SPEC_HASH: str = hashlib.sha256(_SPEC_BYTES).hexdigest()
STOCKOUT_FEATURE_NAMES: tuple[str, ...] = tuple(feature["name"] for feature in _SPEC["features"])
RETENTION_DAYS: int = int(_SPEC["retention_days"])


def feature_cap(name: str) -> float:
    for feature in _SPEC["features"]:
        if feature["name"] == name and "cap" in feature:
            return float(feature["cap"])
    raise KeyError(f"stockout-features spec: feature {name} has no cap")
