"""Spark MLlib training rate for the capacity model (docs/capacity.md `r_spark`): the stock-out GBT
with the production parameters (tillgate_models.training.TrainingParams) fitted on ROWS synthetic
snapshot rows of the real feature spec, in the training job's own local session (local[2]: one
2-core executor). Only the fit is timed: the snapshot fold runs before it and is not included.
Synthetic rows: GBT cost depends on rows x features x iterations x depth x bins, not on what the
values mean; the label depends on a few features so the trees split as they would."""

import json
import os
import sys
import time
from datetime import UTC, datetime

from pyspark.ml.classification import GBTClassifier
from pyspark.sql import functions as F

from tillgate_models.feature_spec import STOCKOUT_FEATURE_NAMES
from tillgate_models.spark_session import training_session
from tillgate_models.training import TrainingParams, assemble

sizes = [int(size) for size in os.environ.get("TG_SPARK_ROWS", "20000,40000").split(",")]
params = TrainingParams()
spark = training_session("tillgate-bench-spark-training-rate")
fits = []
for rows in sizes:
    frame = spark.range(rows).select(
        *[(F.rand(seed=index) * (index + 1) * 10).alias(name) for index, name in enumerate(STOCKOUT_FEATURE_NAMES)]
    )
    frame = frame.withColumn(
        "label",
        ((F.col(STOCKOUT_FEATURE_NAMES[0]) + F.col(STOCKOUT_FEATURE_NAMES[1]) * F.rand(seed=99)) > 8).cast("double"),
    )
    train = assemble(frame).select("features", "label").cache()
    train.count()  # materialise the cache: the fit alone is timed
    began = time.perf_counter()
    GBTClassifier(
        labelCol="label",
        maxIter=params.max_iter,
        maxDepth=params.max_depth,
        stepSize=params.step_size,
        seed=params.seed,
    ).fit(train)
    seconds = time.perf_counter() - began
    fits.append({"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds)})
    print(json.dumps(fits[-1]), flush=True)
    train.unpersist()
spark.stop()

largest = fits[-1]
result = {
    "name": "spark-training-rate",
    "what": (
        f"stock-out GBTClassifier fit (maxIter {params.max_iter}, maxDepth {params.max_depth}, "
        f"{len(STOCKOUT_FEATURE_NAMES)} features) on synthetic snapshot rows in the training job's local[2] "
        "session (one 2-core executor); rows/s of the largest fit; the snapshot fold before it is not timed"
    ),
    "unit": "rows/s",
    "value": largest["rows_per_s"],
    "fits": fits,
    "runs": len(fits),
    "spread": {"min": min(fit["rows_per_s"] for fit in fits), "max": max(fit["rows_per_s"] for fit in fits)},
    "command": "nice -n 10 bash bench/spark-training-rate.sh",
    "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": f"{os.cpu_count()} cores (shared); python {sys.version.split()[0]}",
    "load_average_1m": round(os.getloadavg()[0], 1),
}
with open(os.path.join(os.path.dirname(__file__), "..", "results", "spark-training-rate.json"), "w") as out:
    json.dump(result, out, indent=2)
    out.write("\n")
print(json.dumps(result))
