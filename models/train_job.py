"""spark-submit entry point of the training pipeline (spark-submit needs a file, not `-m`):

    PYTHONPATH=models .venv/bin/python -c \
      "from tillgate_models.spark_session import build_package_archive as b; from pathlib import Path; b(Path('/tmp/tillgate_models.zip'))"
    spark-submit --master <cluster> --py-files /tmp/tillgate_models.zip models/train_job.py --history <dir> ...

Takes the same arguments as `python -m tillgate_models.pipeline`.
"""

from tillgate_models.pipeline import main

if __name__ == "__main__":
    main()
