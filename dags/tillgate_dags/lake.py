"""The Parquet lake in S3 (s3proxy locally, MinIO in production) as a pyarrow filesystem.

Layout (hub/src/lake/object-name.ts): <bucket>/<prefix><topic>/date=YYYY-MM-DD/store=<id>/<file>.parquet.
"""

from __future__ import annotations

import os

import pyarrow.fs as pafs

from tillgate_dags.settings import Settings

# pyarrow's AWS SDK adds CRC checksums to every request by default (SDK 1.11.4xx); s3proxy rejects the
# uploads (XAmzContentSHA256Mismatch) and answers the ranged reads 501 (measured), and older MinIO builds
# do too. The SDK reads these once, when pyarrow first initialises S3 in the process.
os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
os.environ.setdefault("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")


def lake_filesystem(settings: Settings) -> pafs.S3FileSystem:
    return pafs.S3FileSystem(
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        endpoint_override=settings.s3_endpoint,
        scheme="https" if settings.s3_secure else "http",
        region="us-east-1",
    )


def lake_root(settings: Settings) -> str:
    return f"{settings.lake_bucket}/{settings.lake_prefix}".rstrip("/")


def day_partitions(fs: pafs.FileSystem, root: str, day: str) -> list[str]:
    """The `date=<day>` folder of every topic in the lake that has one."""
    topics = [
        entry.path for entry in fs.get_file_info(pafs.FileSelector(root)) if entry.type == pafs.FileType.Directory
    ]
    partitions = [f"{topic}/date={day}" for topic in topics]
    return [path for path in partitions if fs.get_file_info(path).type == pafs.FileType.Directory]
