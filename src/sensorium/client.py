"""boto3 clients for the command-line tools, pointed at a running Sensorium server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sensorium.auth import credentials as creds
from sensorium.config import Settings


def default_endpoint() -> str:
    return Settings().endpoint


def client(
    service: str,
    endpoint: str,
    data_dir: Path | None = None,
    *,
    retries: dict[str, Any] | None = None,
    connections: int = 10,
) -> Any:
    """A boto3 client: AWS_* credentials from the environment if set (as boto3 reads them),
    else the server's own (the configured or generated key pair of its data directory).
    ``retries``: botocore's retry configuration (3 attempts by default); ``connections``:
    how many requests it may have open at once (threads sharing it)."""
    import boto3
    from botocore.config import Config

    key_id = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not (key_id and secret):
        settings = Settings()
        key = next(
            iter(creds.load(data_dir or settings.data_dir, settings.credentials).keys.values())
        )
        key_id, secret = key.access_key_id, key.secret_access_key
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(
            retries=retries or {"max_attempts": 3},
            read_timeout=300,
            max_pool_connections=connections,
        ),
    )
