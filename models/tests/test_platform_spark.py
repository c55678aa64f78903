"""Spark runs for real here: a local JVM (Java 17) behind pyspark, sized for a 2-core machine."""

# No `from __future__ import annotations`: pyspark reads a pandas UDF's type hints at run time to pick
# the UDF kind, and cannot resolve them as strings.
import pandas as pd
from pyspark.sql import SparkSession

SALES = [
    ("store-001", "MILK-1L", 2, 1.19),
    ("store-001", "BREAD-WHT", 1, 2.49),
    ("store-001", "MILK-1L", 3, 1.19),
    ("store-002", "MILK-1L", 1, 1.29),
    ("store-002", "EGGS-10", 4, 3.10),
]
COLUMNS = ["store_id", "sku", "quantity", "unit_price"]


def test_counts_rows_on_the_jvm(spark: SparkSession):
    df = spark.createDataFrame(SALES, COLUMNS)

    assert df.count() == 5
    assert df.filter(df.quantity > 1).count() == 3


def test_group_by_sums_quantity_and_revenue_per_store(spark: SparkSession):
    from pyspark.sql import functions as F

    df = spark.createDataFrame(SALES, COLUMNS)
    rows = (
        df.groupBy("store_id")
        .agg(
            F.sum("quantity").alias("units"),
            F.round(F.sum(F.col("quantity") * F.col("unit_price")), 2).alias("revenue"),
            F.countDistinct("sku").alias("skus"),
        )
        .orderBy("store_id")
        .collect()
    )

    assert [(r.store_id, r.units, r.revenue, r.skus) for r in rows] == [
        ("store-001", 6, 8.44, 2),  # 2*1.19 + 1*2.49 + 3*1.19
        ("store-002", 5, 13.69, 2),  # 1*1.29 + 4*3.10
    ]


def test_pandas_udf_runs_in_a_python_worker(spark: SparkSession):
    # Feature code will use pandas UDFs: this proves Arrow, pandas and the venv's Python work as
    # Spark's worker, not only as its driver.
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("double")
    def line_total(quantity: pd.Series, unit_price: pd.Series) -> pd.Series:
        return (quantity * unit_price).round(2)

    df = spark.createDataFrame(SALES, COLUMNS)
    totals = [r.total for r in df.select(line_total("quantity", "unit_price").alias("total")).collect()]

    assert totals == [2.38, 2.49, 3.57, 1.29, 12.4]


def test_driver_heap_is_capped_at_one_gib(spark: SparkSession):
    jvm_max_bytes = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory()

    assert spark.conf.get("spark.driver.memory") == "1g"
    assert jvm_max_bytes <= 1024 * 1024 * 1024
