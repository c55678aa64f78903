"""pytest set-up shared by models/ and dags/: where Airflow keeps its state, which Java Spark runs on.

Airflow reads its configuration when first imported, so the environment is fixed here, before any
test module imports it. AIRFLOW_HOME is forced under the repo's .run/ so tests never touch ~/airflow.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REPO = Path(__file__).resolve().parent
RUN = Path(os.environ.get("TILLGATE_RUN", REPO / ".run"))

os.environ["AIRFLOW_HOME"] = str(RUN / "airflow")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# A developer's own sqlite path or executor must not leak into the tests' metadata DB.
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{RUN / 'airflow' / 'airflow.db'}"
# Spark's Python workers must run this venv's interpreter, not whatever python3 is first on PATH.
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


def _java_home() -> str | None:
    """JAVA_HOME as set, else the JDK that owns the `java` on PATH (Debian sets no JAVA_HOME)."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parents[1]) if java else None


if (java_home := _java_home()) is not None:
    os.environ["JAVA_HOME"] = java_home


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """One local SparkSession for the whole run: a JVM start costs seconds, and tests share 2 cores."""
    if os.environ.get("JAVA_HOME") is None:
        pytest.fail("pyspark needs Java 17+: set JAVA_HOME or put java on PATH")
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tillgate-tests")
        # The store PC and CI machine are small: 1 GiB heap is plenty for test-sized data.
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        # Default 200 shuffle partitions means 200 tiny tasks per groupBy on 2 cores.
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()
        # stop() keeps the py4j gateway and its JVM for a later session; closing them now means no JVM
        # outlives the tests, and py4j does not log from __del__ into streams pytest has already closed.
        SparkContext._gateway.shutdown()
        SparkContext._gateway = None
        SparkContext._jvm = None
