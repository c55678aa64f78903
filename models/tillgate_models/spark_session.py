"""The Spark session of the training job. Local mode sizing for a 2-core machine; on a cluster,
spark-submit's --master and --conf win over these defaults (builder settings only fill gaps)."""

import os
import sys
import tempfile
import zipfile
from pathlib import Path

from pyspark.sql import SparkSession

from .feature_spec import SPEC_FILE_NAME, SPEC_PATH


def training_session(app_name: str = "tillgate-models") -> SparkSession:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if "SPARK_MASTER" not in os.environ and "spark.master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        builder = (
            builder.master("local[2]")
            .config("spark.driver.memory", "1g")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "2")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
        )
    return builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()


_shipped: set[str] = set()


def ship_package(spark: SparkSession) -> None:
    """Makes tillgate_models importable in Spark's Python workers (the pandas fold runs there): zips
    the package and adds it with addPyFile, which works the same for local mode and for executors of
    a cluster. Once per SparkContext."""
    context = spark.sparkContext
    if context.applicationId in _shipped:
        return
    package = Path(__file__).resolve().parent
    archive = Path(tempfile.mkdtemp(prefix="tg-pyfiles-")) / "tillgate_models.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for source in sorted(package.glob("*.py")):
            bundle.write(source, f"tillgate_models/{source.name}")
        bundle.write(SPEC_PATH, f"tillgate_models/{SPEC_FILE_NAME}")
    context.addPyFile(str(archive))
    _shipped.add(context.applicationId)
