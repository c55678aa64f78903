"""The Spark session of the training job. Local mode sizing for a 2-core machine; on a cluster,
spark-submit's --master and --conf win over these defaults (builder settings only fill gaps)."""

import atexit
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from pyspark import SparkConf
from pyspark.sql import SparkSession

from .feature_spec import SPEC_FILE_NAME, SPEC_PATH


def training_session(app_name: str = "tillgate-models") -> SparkSession:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    # spark-submit passes --master as the JVM property spark.master, which SparkConf() reads back.
    if not SparkConf().contains("spark.master"):
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
    # spark-submit --py-files tillgate_models.zip has shipped it already (models/train_job.py).
    submitted = context.getConf().get("spark.submit.pyFiles", "") or ""
    if context.applicationId in _shipped or "tillgate_models" in submitted:
        return
    folder = Path(tempfile.mkdtemp(prefix="tg-pyfiles-"))
    # Spark serves the file to its workers from this path for as long as the context lives: removed
    # when the process exits, not before.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    archive = build_package_archive(folder / "tillgate_models.zip")
    context.addPyFile(str(archive))
    _shipped.add(context.applicationId)


def build_package_archive(target: Path) -> Path:
    """tillgate_models as a zip for --py-files / addPyFile, with the feature spec's bytes inside
    (feature_spec.py reads them from there when the repo is not on the worker)."""
    package = Path(__file__).resolve().parent
    with zipfile.ZipFile(target, "w") as bundle:
        for source in sorted(package.glob("*.py")):
            bundle.write(source, f"tillgate_models/{source.name}")
        bundle.write(SPEC_PATH, f"tillgate_models/{SPEC_FILE_NAME}")
    return target
