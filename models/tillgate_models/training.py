"""Spark MLlib training of both models on snapshot rows, with a time-based split.

Split: rows before `split_ms - gap` train, rows from `split_ms` on are the holdout. The gap is the
label's look-ahead (48 h for stock-outs, 7 days for demand), so no training label peeks into the
holdout period. The stock-out model's training period is split once more the same way: its last
`validation_share` is the validation slice the alert threshold is chosen on, so the holdout stays
untouched by every choice that ships.
"""

from dataclasses import dataclass
from pathlib import Path

from pyspark.ml.classification import GBTClassificationModel, GBTClassifier
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.regression import GBTRegressionModel, GBTRegressor
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .feature_spec import STOCKOUT_FEATURE_NAMES
from .onnx_graph import FeatureLevel
from .snapshots import DEMAND_DAYS, STOCKOUT_HORIZON_MS
from .utc_time import MS_PER_DAY

# The demand model predicts next-7-day units as a multiple of the SKU's own level, 7 x units_28d + 1
# (the +1 keeps SKUs with no recent sales defined). Trees are piecewise constant: fitted on raw units
# they cut a range of 0..1,000+ units a week into a few dozen steps and lose to the seasonal naive on
# every high-volume SKU (measured: MASE ratio 1.83 on a 60-day history). On the ratio they learn the
# weekday, promo, price and trend effects that are shared across volumes.
DEMAND_LEVEL = FeatureLevel(feature=STOCKOUT_FEATURE_NAMES.index("units_28d"), multiplier=7.0, offset=1.0)


def demand_level() -> F.Column:
    name = STOCKOUT_FEATURE_NAMES[DEMAND_LEVEL.feature]
    return F.col(name) * DEMAND_LEVEL.multiplier + DEMAND_LEVEL.offset


@dataclass(frozen=True)
class TrainingParams:
    max_iter: int = 60
    max_depth: int = 5
    step_size: float = 0.1
    seed: int = 7
    holdout_share: float = 0.3
    validation_share: float = 0.2


@dataclass
class TrainedModels:
    stockout: GBTClassificationModel
    demand: GBTRegressionModel
    stockout_train: DataFrame
    stockout_validation: DataFrame
    stockout_holdout: DataFrame
    demand_train: DataFrame
    demand_holdout: DataFrame
    split_ms: int
    validation_split_ms: int
    demand_split_ms: int


def assemble(frame: DataFrame) -> DataFrame:
    return VectorAssembler(inputCols=list(STOCKOUT_FEATURE_NAMES), outputCol="features").transform(frame)


def split_time_ms(rows: DataFrame, holdout_share: float) -> int:
    """The UTC midnight after which the last `holdout_share` of the rows' time range lies."""
    bounds = rows.agg(F.min("t_ms").alias("lo"), F.max("t_ms").alias("hi")).first()
    if bounds["lo"] is None:
        raise ValueError("no snapshot rows: the history is shorter than the warm-up plus the label horizons")
    raw = bounds["lo"] + (1 - holdout_share) * (bounds["hi"] - bounds["lo"])
    return int(raw // MS_PER_DAY * MS_PER_DAY)


def train_models(snapshots: DataFrame, params: TrainingParams, saved: Path | None = None) -> TrainedModels:
    """Splits and fits both models; with `saved` (a work dir's mllib/ of an earlier run on the same
    snapshots and params), loads the fitted models instead of fitting again (a run that failed after
    training resumes without repeating the hour of Spark)."""
    rows = assemble(snapshots)
    stockout_rows = rows.where(F.col("kind") == "stockout")
    demand_rows = rows.where(F.col("kind") == "demand")
    # Each model splits its own rows' time range: demand rows stop 7 days before the history ends.
    split_ms = split_time_ms(stockout_rows, params.holdout_share)
    demand_split_ms = split_time_ms(demand_rows, params.holdout_share)
    before_holdout = stockout_rows.where(F.col("t_ms") < split_ms - STOCKOUT_HORIZON_MS)
    validation_split_ms = split_time_ms(before_holdout, params.validation_share)
    stockout_train = before_holdout.where(F.col("t_ms") < validation_split_ms - STOCKOUT_HORIZON_MS).cache()
    demand_train = (
        demand_rows.where(F.col("t_ms") < demand_split_ms - DEMAND_DAYS * MS_PER_DAY)
        .withColumn("ratio_label", F.col("label") / demand_level())
        .cache()
    )
    if saved is not None:
        return _split(
            GBTClassificationModel.load(str(saved / "stockout")),
            GBTRegressionModel.load(str(saved / "demand")),
            stockout_rows,
            demand_rows,
            before_holdout,
            stockout_train,
            demand_train,
            (split_ms, validation_split_ms, demand_split_ms),
        )
    stockout = GBTClassifier(
        labelCol="label",
        maxIter=params.max_iter,
        maxDepth=params.max_depth,
        stepSize=params.step_size,
        seed=params.seed,
    ).fit(stockout_train)
    demand = GBTRegressor(
        labelCol="ratio_label",
        maxIter=params.max_iter,
        maxDepth=params.max_depth,
        stepSize=params.step_size,
        seed=params.seed,
    ).fit(demand_train)
    return _split(
        stockout,
        demand,
        stockout_rows,
        demand_rows,
        before_holdout,
        stockout_train,
        demand_train,
        (split_ms, validation_split_ms, demand_split_ms),
    )


def _split(
    stockout: GBTClassificationModel,
    demand: GBTRegressionModel,
    stockout_rows: DataFrame,
    demand_rows: DataFrame,
    before_holdout: DataFrame,
    stockout_train: DataFrame,
    demand_train: DataFrame,
    splits: tuple[int, int, int],
) -> TrainedModels:
    split_ms, validation_split_ms, demand_split_ms = splits
    return TrainedModels(
        stockout=stockout,
        demand=demand,
        stockout_train=stockout_train,
        stockout_validation=before_holdout.where(F.col("t_ms") >= validation_split_ms),
        stockout_holdout=stockout_rows.where(F.col("t_ms") >= split_ms),
        demand_train=demand_train,
        demand_holdout=demand_rows.where(F.col("t_ms") >= demand_split_ms),
        split_ms=split_ms,
        validation_split_ms=validation_split_ms,
        demand_split_ms=demand_split_ms,
    )
