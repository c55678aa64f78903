"""Champion / challenger: does the model just trained beat the one the stores run now?

The champion is the registry's `stable` channel of the model (registry.py layout). Both models score
the SAME holdout rows (the pipeline's stockout-holdout.parquet: the time-split holdout of this run's
data) through onnxruntime, the runtime the edge uses, and are compared on one metric:

    PR-AUC (average precision) on the labels observed at the hub.

Why PR-AUC: stock-outs are rare (a few % of snapshot rows), so ROC-AUC and accuracy are dominated by the
easy negatives; average precision rewards ranking the shelves someone will find empty above the rest,
which is what an alert queue needs, and it needs no threshold (the threshold is chosen afterwards, for
the model that ships). Observed labels, because those are all a chain has in production; the
simulator's ground truth, when given, is reported next to it as an evaluation and decides nothing.

The challenger must beat the champion by more than `min_gain` (strictly better at 0), or nothing is
released. No champion, or a champion built for another feature spec (it cannot score these features,
and the edges that run this spec cannot run it), cannot be beaten on the metric: the challenger ships,
and the decision says why.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .evaluation import average_precision
from .feature_spec import FEATURE_SPEC_HASH, STOCKOUT_FEATURE_NAMES
from .parity import onnxruntime_python
from .registry import RegistryConfig, RegistryError, _existing, channel_key, release_key
from .snapshots import STOCKOUT_HORIZON_MS

METRIC = "pr_auc_observed"
HOLDOUT_FILE = "stockout-holdout.parquet"


@dataclass(frozen=True)
class Champion:
    version: str
    manifest: dict
    model: bytes


@dataclass(frozen=True)
class Scored:
    version: str
    pr_auc_observed: float
    pr_auc_ground_truth: float | None


@dataclass(frozen=True)
class Decision:
    release: bool
    reason: str
    metric: str
    min_gain: float
    holdout_rows: int
    holdout_observed_positives: int
    challenger: Scored
    champion: Scored | None

    def as_json(self) -> dict:
        return asdict(self)


def read_champion(config: RegistryConfig, name: str, s3: object | None = None) -> Champion | None:
    """The model on `name`'s stable channel, or None when the registry has none yet."""
    s3 = s3 or config.s3_client()
    if not s3.bucket_exists(config.bucket):
        return None
    pointer = _existing(s3, config.bucket, channel_key(name, "stable"))
    if pointer is None:
        return None
    version = json.loads(pointer)["version"]
    manifest_bytes = _existing(s3, config.bucket, release_key(name, version, "manifest"))
    model = _existing(s3, config.bucket, release_key(name, version, "model"))
    if manifest_bytes is None or model is None:
        raise RegistryError(f"{name} stable points at {version}, which the registry does not hold complete")
    manifest = json.loads(manifest_bytes)
    if hashlib.sha256(model).hexdigest() != manifest["sha256"]:
        raise RegistryError(f"{name}@{version}: model.onnx in the registry does not match its manifest's sha256")
    return Champion(version, manifest, model)


def feature_rows(holdout: pd.DataFrame) -> np.ndarray:
    return holdout[list(STOCKOUT_FEATURE_NAMES)].to_numpy(dtype=np.float64).astype(np.float32)


def ground_truth_labels(holdout: pd.DataFrame, intervals: pd.DataFrame) -> np.ndarray:
    """1 where the shelf was empty at any instant of [t, t + horizon] by the ground truth (evaluation only).
    intervals: store_id, sku, start_ms, end_ms (NaN = still out)."""
    labels = np.zeros(len(holdout))
    by_key = {key: group for key, group in intervals.groupby(["store_id", "sku"])}
    for i, row in enumerate(holdout[["store_id", "sku", "t_ms"]].itertuples(index=False)):
        group = by_key.get((row.store_id, row.sku))
        if group is None:
            continue
        ends = group["end_ms"].fillna(np.inf).to_numpy()
        hit = (group["start_ms"].to_numpy() <= row.t_ms + STOCKOUT_HORIZON_MS) & (ends >= row.t_ms)
        labels[i] = float(hit.any())
    return labels


def _scored(version: str, scores: np.ndarray, observed: np.ndarray, truth: np.ndarray | None) -> Scored:
    return Scored(
        version,
        average_precision(observed, scores),
        None if truth is None else average_precision(truth, scores),
    )


def decide(
    holdout: pd.DataFrame,
    challenger_dir: Path,
    champion: Champion | None,
    *,
    min_gain: float = 0.0,
    truth: pd.DataFrame | None = None,
) -> Decision:
    """holdout: the pipeline's holdout rows (label = observed); challenger_dir: its signed release."""
    challenger_manifest = json.loads((challenger_dir / "manifest.json").read_text())
    challenger_model = (challenger_dir / "model.onnx").read_bytes()
    rows = feature_rows(holdout)
    observed = holdout["label"].to_numpy(dtype=np.float64)
    truth_labels = None if truth is None else ground_truth_labels(holdout, truth)
    challenger = _scored(
        challenger_manifest["version"], onnxruntime_python(challenger_model, rows), observed, truth_labels
    )
    common = {
        "metric": METRIC,
        "min_gain": min_gain,
        "holdout_rows": len(holdout),
        "holdout_observed_positives": int(observed.sum()),
        "challenger": challenger,
    }
    if observed.sum() == 0:
        return Decision(
            False, "the holdout has no observed empty shelf: the models cannot be compared", **common, champion=None
        )
    if champion is None:
        return Decision(True, "no champion on the stable channel: the challenger is the first", **common, champion=None)
    if champion.manifest.get("feature_spec_hash") != FEATURE_SPEC_HASH:
        return Decision(
            True,
            f"champion {champion.version} was built for feature spec {str(champion.manifest.get('feature_spec_hash'))[:12]}, "
            f"this run's is {FEATURE_SPEC_HASH[:12]}: it cannot score these features, the challenger replaces it",
            **common,
            champion=Scored(champion.version, float("nan"), None),
        )
    incumbent = _scored(champion.version, onnxruntime_python(champion.model, rows), observed, truth_labels)
    gain = challenger.pr_auc_observed - incumbent.pr_auc_observed
    wins = gain > min_gain
    verdict = "beats" if wins else "does not beat"
    reason = (
        f"challenger {challenger.version} {verdict} champion {champion.version} on {METRIC}: "
        f"{challenger.pr_auc_observed:.4f} vs {incumbent.pr_auc_observed:.4f} (gain {gain:+.4f}, needed > {min_gain})"
    )
    return Decision(wins, reason, **common, champion=incumbent)
