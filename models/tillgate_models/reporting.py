"""Evaluation report (JSON + markdown) and bench/results/ml-*.json (format of BENCH.md)."""

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

import pyspark


def _machine() -> str:
    import os

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory_gib:.0f} GiB; python {platform.python_version()}; pyspark {pyspark.__version__}"


def write_report(out_dir: Path, summary: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "evaluation.json").write_text(json.dumps(summary, indent=2) + "\n")
    so, dm, pa = summary["stockout"], summary["demand"], summary["parity"]
    lt = so["lead_times"]
    cl = so["excluding_store_closures"]
    baseline = pa["onnxmltools_stockout"]
    baseline_text = (
        f"max |diff| {baseline['max_abs_diff']:.3g}"
        if baseline.get("converted")
        else f"failed: {baseline.get('error')}"
    )
    lines = [
        f"# Model evaluation (version {summary['version']})",
        "",
        f"History `{', '.join(summary['history']['dirs'])}`; time split at {_iso(summary['split_ms'])} "
        f"(train before, holdout after). GBT params: {summary['params']}.",
        "",
        f"## Stock-out risk (GBTClassifier, label: shelf empty within {so['horizon_hours']:.0f} h)",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| PR-AUC (average precision) | {so['pr_auc']:.4f} |",
        f"| holdout positive rate (PR-AUC of a random model) | {so['holdout_positive_rate']:.4f} |",
        f"| recall at 90% precision | {so['recall_at_90_precision']:.4f} |",
        f"| score threshold for 90% precision (holdout, not used) | {so['threshold_at_90_precision']:.4f} |",
        f"| alert threshold (manifest; chosen on the validation slice: {so['threshold_rule']}) | {so['alert_threshold']:.4f} |",
        f"| validation slice {_iso(so['validation']['from_ms'])[:10]} to {_iso(so['validation']['to_ms'])[:10]}: "
        f"precision / recall at it | {so['validation_precision']:.4f} / {so['validation_recall']:.4f} |",
        f"| holdout precision / recall at the alert threshold | {so['alert_precision']:.4f} / {so['alert_recall']:.4f} |",
        f"| median alert lead time at the alert threshold (h; > 0 = before the shelf emptied) | {so['median_lead_hours']:.2f} |",
        f"| stock-outs in holdout / alerted / alerted before empty | {lt['stockouts']} / {lt['alerted']} / {lt['alerted_before_empty']} |",
        f"| holdout rows | {so['holdout_rows']:.0f} |",
        "",
        f"Diagnostic — without the {cl['excluded_rows']} snapshots in the 48 h from the start of a store-closed day "
        f"({', '.join(cl['closed_store_days']) or 'none'}): PR-AUC {cl['pr_auc']:.4f}, recall at 90% precision "
        f"{cl['recall_at_90_precision']:.4f}, precision / recall at the alert threshold {cl['alert_precision']:.4f} / "
        f"{cl['alert_recall']:.4f}. A closed day silences every SKU, which per-SKU features cannot tell "
        "from phantom inventory (a store-level feature is the fix; see models/README.md).",
        "",
        "## 7-day demand (GBTRegressor, units sold in the next 7 UTC days)",
        "",
        "| metric | model | seasonal naive (last 7 days) |",
        "| --- | --- | --- |",
        f"| MAE | {dm['mae']:.3f} | {dm['naive_mae']:.3f} |",
        f"| RMSE | {dm['rmse']:.3f} | {dm['naive_rmse']:.3f} |",
        f"| MASE (scale = naive in-sample MAE {dm['scale']:.3f}) | {dm['mase']:.4f} | {dm['naive_mase']:.4f} |",
        f"| MAPE (rows with sales) | {dm['mape']:.4f} | |",
        f"| ratio model / naive (goal < 1) | {dm['ratio_vs_naive']:.4f} | |",
        "",
        "## ONNX parity (max |diff| vs MLlib on the holdout)",
        "",
        f"- stock-out, our exporter: onnxruntime (Python) {pa['stockout']['max_abs_diff_python']:.3g}, "
        f"onnxruntime-node {pa['stockout']['max_abs_diff_node']:.3g} over {pa['stockout']['rows']} rows "
        f"(tolerance {pa['tolerance']})",
        f"- demand, our exporter: onnxruntime (Python) max relative diff {pa['demand']['max_abs_diff_python']:.3g}",
        f"- stock-out, onnxmltools SparkML converter (baseline): {baseline_text}",
        f"- released: {summary['released']}",
        "",
    ]
    (out_dir / "evaluation.md").write_text("\n".join(lines))


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def write_bench_results(bench_dir: Path, summary: dict, command: str) -> None:
    bench_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    common = {"runs": 1, "command": command, "at": now, "machine": _machine()}
    pa, dm, so = summary["parity"], summary["demand"], summary["stockout"]
    baseline = pa["onnxmltools_stockout"]
    parity_value = pa["stockout"]["max_abs_diff_node"]
    results = {
        "ml-parity": {
            "name": "ml-parity",
            "what": "max |P(stock-out)| difference between MLlib and onnxruntime-node (edge StockoutScorer) on "
            f"{pa['stockout']['rows']} held-out rows; deterministic (seeded), so one run. Baseline: onnxmltools' "
            "SparkML converter on the same model and rows, in onnxruntime (Python); ratio = value / baseline",
            "unit": "probability",
            "value": parity_value,
            "python_onnxruntime": pa["stockout"]["max_abs_diff_python"],
            "baseline": {
                "what": "onnxmltools convert_sparkml, same GBT model, same rows",
                "value": baseline.get("max_abs_diff"),
                **({} if baseline.get("converted") else {"error": baseline.get("error")}),
            },
            "ratio": (parity_value / baseline["max_abs_diff"]) if baseline.get("max_abs_diff") else None,
            "goal": {"value_at_most": pa["tolerance"]},
            **common,
        },
        "ml-demand-vs-naive": {
            "name": "ml-demand-vs-naive",
            "what": "7-day demand GBTRegressor vs seasonal naive (next 7 days = last 7 days) on the time-split "
            "holdout: MASE, scaled by the naive's in-sample MAE; ratio = model MASE / naive MASE (lower is better)",
            "unit": "MASE",
            "value": dm["mase"],
            "baseline": {"what": "seasonal naive, same holdout rows", "value": dm["naive_mase"]},
            "ratio": dm["ratio_vs_naive"],
            "goal": {"ratio_below": 1.0},
            "mape": dm["mape"],
            "rmse": dm["rmse"],
            "naive_rmse": dm["naive_rmse"],
            "holdout_rows": dm["holdout_rows"],
            **common,
        },
        "ml-stockout": _stockout_result(so, common),
    }
    for name, result in results.items():
        (bench_dir / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")


def _f1(row: dict) -> float:
    p, r = row["precision"], row["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def _stockout_result(so: dict, common: dict) -> dict:
    """Alerts as received on the holdout (the edge's own engine, alert_threshold.py) against the best of
    the simple rules on the same events; the row metrics (PR-AUC ...) ride along as diagnostics."""
    alerts = so.get("holdout_alerts")
    result = {
        "name": "ml-stockout",
        "what": "stock-out alerts as received on the time-split holdout: the released model through the edge's own "
        "AlertEngine at its threshold (chosen by the alert-quality harness on the validation slice), F1 of alert "
        "precision (hidden_empty right if the shelf is empty on arrival, will_run_out if empty within "
        f"{so['horizon_hours']:.0f} h) and recall of injected stock-outs, pooled over the training histories. "
        "Baseline: the best of the book-stock, days-of-cover and expected-gap rules on the same events; "
        "ratio = value / baseline. Row metrics (PR-AUC, one-feature PR-AUCs) as diagnostics.",
        "unit": "alert F1",
        "pr_auc": so["pr_auc"],
        "pr_auc_days_of_cover": so.get("pr_auc_days_of_cover"),
        "pr_auc_expected_units_since_sale": so.get("pr_auc_expected_units_since_sale"),
        "recall_at_90_precision": so["recall_at_90_precision"],
        "alert_threshold": so["alert_threshold"],
        "threshold_rule": so["threshold_rule"],
        "threshold_table": so.get("threshold_table"),
        "median_lead_hours": so["median_lead_hours"],
        "excluding_store_closures": so["excluding_store_closures"],
        **common,
    }
    if alerts is None:
        return result | {"value": None, "baseline": None, "ratio": None}
    rules = {name: row for name, row in alerts.items() if name != "model"}
    best_name = max(rules, key=lambda name: _f1(rules[name]))
    value, best = _f1(alerts["model"]), _f1(rules[best_name])
    return result | {
        "value": value,
        "model": alerts["model"],
        "baseline": {"what": f"best simple rule on the same events: {best_name}", "value": best, **rules[best_name]},
        "rules": rules,
        "ratio": value / best if best else None,
        "goal": {"precision_at_least": 0.6, "recall_at_least": 0.6, "ratio_above": 1.0},
    }
