"""Re-choose a released stock-out model's alert threshold for the edge's current alert engine.

The operating threshold belongs to the trees and to the engine that turns their risk into alerts
(hysteresis, cool-down, warm-up and the evidence rules of edge/src/alerts/alert-reason.ts). When the
engine changes, a level raises other alerts than it did, so the release's threshold was chosen for
alerts the edge no longer raises. This replays the release's validation slice through the current
engine with the pipeline's own call (alert_threshold.choose_levels: the raise level, then the one for
hidden_empty alerts), scores the chosen levels on the holdout slice beside the rules, and writes a new
signed release: the same model.onnx, a new version, the thresholds and the alerts-as-received metrics
replaced. The row-level
holdout precision/recall at the old threshold (alert_precision, alert_recall) need the snapshot rows
and are dropped rather than left describing another level.

    PYTHONPATH=models .venv/bin/python -m tillgate_models.rethreshold --release edge/models/default \\
        --trust edge/keys/<signer>.pub.pem --history H2 H3 --validation FROM_MS TO_MS \\
        --holdout FROM_MS TO_MS [--out DIR] [--report FILE] [--signing-key PEM]

FROM/TO are the pipeline's own windows (models/evaluation/evaluation.json: stockout.validation, and
split_ms .. history end - 48 h for the holdout); H2/H3 are the harness histories it replayed.
"""

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from .alert_threshold import HarnessChoice, choose_levels, harness_table, pooled, rules_pooled
from .release import TrainingRange, write_release
from .signing_key import SIGNING_KEY_ENV, load_signing_key, signing_key_path

# Metrics computed at the old threshold from snapshot rows this tool does not have.
STALE_AT_A_NEW_THRESHOLD = ("alert_precision", "alert_recall")


def rethresholded_metrics(metrics: dict[str, float], choice: HarnessChoice, holdout: dict) -> dict[str, float]:
    """The release's metrics with the threshold, its validation and holdout alert figures replaced."""
    kept = {k: v for k, v in metrics.items() if k not in STALE_AT_A_NEW_THRESHOLD}
    return kept | {
        "alert_threshold": choice.threshold,
        "alert_threshold_hidden_empty": choice.hidden_empty_level,
        "validation_alerts_precision": choice.precision,
        "validation_alerts_recall": choice.recall,
        "validation_alerts_detection_recall": choice.detection_recall,
        "validation_alerts_per_store_day": choice.alerts_per_store_day,
        "holdout_alerts_precision": holdout["precision"],
        "holdout_alerts_recall": holdout["recall"],
        "holdout_alerts_detection_recall": holdout["detection_recall"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", required=True, help="the released stock-out model directory")
    parser.add_argument("--trust", required=True, help="public key PEM of the release's signer")
    parser.add_argument("--history", nargs="+", required=True, help="simulated histories the harness replays")
    parser.add_argument("--validation", nargs=2, type=int, required=True, metavar=("FROM_MS", "TO_MS"))
    parser.add_argument("--holdout", nargs=2, type=int, required=True, metavar=("FROM_MS", "TO_MS"))
    parser.add_argument("--out", help="where the new release goes (default: over --release)")
    parser.add_argument("--report", help="write the threshold table, choice and holdout alerts here (JSON)")
    parser.add_argument("--signing-key", help=f"ed25519 private key (default: ${SIGNING_KEY_ENV})")
    args = parser.parse_args(argv)
    key = load_signing_key(signing_key_path(args.signing_key))  # before the replays: a missing key stops here
    release = Path(args.release).resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    histories = [Path(h).resolve() for h in args.history]
    trust = Path(args.trust).resolve()

    choice = choose_levels(release, trust, histories, *args.validation)
    holdout_table = harness_table(release, trust, histories, *args.holdout, (choice.levels,))
    holdout = pooled(holdout_table["thresholds"][0]["histories"])
    version = "2." + datetime.now(UTC).strftime("%Y%m%d%H%M")
    training = manifest["training_data"]
    written = write_release(
        Path(args.out).resolve() if args.out else release,
        (release / "model.onnx").read_bytes(),
        name=manifest["name"],
        version=version,
        task=manifest["task"],
        training=TrainingRange(
            datetime.fromisoformat(training["from"]), datetime.fromisoformat(training["to"]), training["rows"]
        ),
        metrics=rethresholded_metrics(manifest["metrics"], choice, holdout),
        key=key,
    )
    report = {
        "from_release": manifest["version"],
        "release": written["version"],
        "threshold_rule": choice.rule,
        "levels": {"alert_threshold": choice.threshold, "alert_threshold_hidden_empty": choice.hidden_empty_level},
        "threshold_table": choice.table,
        "histories": {str(h): json.loads((h / "manifest.json").read_text())["scenario"] for h in histories},
        "validation": {"from_ms": args.validation[0], "to_ms": args.validation[1]},
        "holdout": {"from_ms": args.holdout[0], "to_ms": args.holdout[1]},
        "holdout_alerts": {"model": holdout, **rules_pooled(holdout_table)},
    }
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("from_release", "release", "threshold_rule", "holdout_alerts")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
