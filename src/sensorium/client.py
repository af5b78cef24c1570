"""boto3 clients for the command-line tools, pointed at a running Sensorium server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sensorium.auth import credentials as creds
from sensorium.config import DEFAULT_PORT, Settings


def default_endpoint() -> str:
    return os.environ.get("SENSORIUM_ENDPOINT", f"http://127.0.0.1:{DEFAULT_PORT}")


def client(service: str, endpoint: str, data_dir: Path | None = None) -> Any:
    """A boto3 client: AWS_* credentials from the environment if set, else the server's own
    (the data directory's configured or generated key pair)."""
    import boto3
    from botocore.config import Config

    key_id = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not (key_id and secret):
        folder = data_dir or Settings().data_dir
        key = next(iter(creds.load(folder).keys.values()))
        key_id, secret = key.access_key_id, key.secret_access_key
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 3}, read_timeout=300),
    )
