"""What staff feedback adds to training (issue 16 item 4), scored against the simulator's ground truth.

Each run trained the same way on the same histories with a different label file (the pipeline's
--labels): the labels a chain observes without feedback (shelf counts finding 0) and with it (plus the
staff's "empty" answers to the alerts the edge raised; simulators `feedback-labels`). A run's own
holdout labels are its observed ones, so every run's holdout rows (<work>/stockout-holdout.parquet) are
relabelled here with the ground truth (the shelf empty at any instant of [t, t + 48 h], the
snapshots.py definition) and scored the same way, with the shipped model on the same rows alongside.

    python -m tillgate_models.label_gain --history H2 H3 --run counts=WORK_C --run feedback=WORK_F \\
        --shipped edge/models/default/model.onnx --bench bench/results
"""

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import evaluation as ev
from .feature_spec import STOCKOUT_FEATURE_NAMES
from .pipeline import store_prefix
from .reporting import _machine
from .snapshots import STOCKOUT_HORIZON_MS

# One alert budget for every run: the top share of holdout rows by score (thresholds differ per model).
TOP_SHARE = 0.05


def truth_intervals(histories: list[Path]) -> dict[tuple[str, str], np.ndarray]:
    frames = []
    for i, history in enumerate(histories):
        frame = pd.read_parquet(history / "stockouts.parquet")
        frame["store_id"] = store_prefix(i, len(histories)) + frame["store_id"]
        frames.append(frame)
    truth = pd.concat(frames, ignore_index=True)
    open_end = truth["end"].isna()
    start = truth["start"].dt.as_unit("ms").astype("int64")
    end = truth["end"].fillna(truth["start"]).dt.as_unit("ms").astype("int64")
    truth = truth.assign(start_ms=start, end_ms=np.where(open_end, np.iinfo(np.int64).max, end))
    return {key: group[["start_ms", "end_ms"]].to_numpy() for key, group in truth.groupby(["store_id", "sku"])}


def truth_labels(rows: pd.DataFrame, intervals: dict[tuple[str, str], np.ndarray]) -> np.ndarray:
    labels = np.zeros(len(rows))
    for i, (store, sku, t) in enumerate(zip(rows["store_id"], rows["sku"], rows["t_ms"], strict=True)):
        spans = intervals.get((store, sku))
        if spans is not None and np.any((spans[:, 0] <= t + STOCKOUT_HORIZON_MS) & (spans[:, 1] >= t)):
            labels[i] = 1.0
    return labels


def scores_of(labels: np.ndarray, scores: np.ndarray) -> dict:
    top = np.argsort(-scores, kind="stable")[: max(1, int(TOP_SHARE * len(scores)))]
    recall90, _ = ev.recall_at_precision(labels, scores)
    return {
        "pr_auc": ev.average_precision(labels, scores),
        "recall_at_90_precision": recall90,
        "precision_at_top_share": float(labels[top].mean()),
        "recall_at_top_share": float(labels[top].sum() / max(1.0, labels.sum())),
    }


def shipped_scores(model: Path, rows: pd.DataFrame) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    x = rows[list(STOCKOUT_FEATURE_NAMES)].to_numpy(dtype=np.float64).astype(np.float32)
    return np.asarray(session.run(["probability"], {"features": x})[0], dtype=np.float64).reshape(len(x), -1)[:, -1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", nargs="+", required=True, help="the runs' --history dirs, same order")
    parser.add_argument("--run", action="append", required=True, help="NAME=WORK_DIR of a pipeline run")
    parser.add_argument("--shipped", type=Path, help="a released model.onnx scored on the same rows")
    parser.add_argument("--notes", default="")
    parser.add_argument("--bench", type=Path)
    args = parser.parse_args()
    intervals = truth_intervals([Path(h) for h in args.history])
    runs = dict(item.split("=", 1) for item in args.run)
    results = {}
    for name, work in runs.items():
        rows = pd.read_parquet(Path(work) / "stockout-holdout.parquet").sort_values(["store_id", "sku", "t_ms"])
        labels = truth_labels(rows, intervals)
        results[name] = {
            "rows": len(rows),
            "observed_positive_rate": float(rows["label"].mean()),
            "truth_positive_rate": float(labels.mean()),
            **scores_of(labels, rows["mllib"].to_numpy()),
        }
        if args.shipped and "shipped" not in results:
            results["shipped"] = {"rows": len(rows), **scores_of(labels, shipped_scores(args.shipped, rows))}
    names = list(runs)
    first, last = results[names[0]], results[names[-1]]
    result = {
        "name": "ml-feedback-labels",
        "what": (
            "stock-out model trained on labels a chain observes, scored on the holdout rows against the simulator's "
            f"ground truth (PR-AUC; precision/recall at the top {TOP_SHARE:.0%} of rows): "
            + " vs ".join(names)
            + "; value = PR-AUC of the last, baseline = the first (ratio = gain from the labels the last adds)"
        ),
        "unit": "PR-AUC",
        "value": last["pr_auc"],
        "baseline": {"what": f"{names[0]}, same histories, same params, same holdout rows", "value": first["pr_auc"]},
        "ratio": last["pr_auc"] / first["pr_auc"] if first["pr_auc"] else None,
        "runs": 1,
        "results": results,
        "command": "bash bench/ml-feedback-labels.sh",
        "at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "machine": _machine(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "notes": args.notes,
    }
    text = json.dumps(result, indent=2) + "\n"
    if args.bench:
        args.bench.mkdir(parents=True, exist_ok=True)
        (args.bench / "ml-feedback-labels.json").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
