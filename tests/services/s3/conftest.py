"""S3 clients of the session's server, path-style (``localhost`` names no bucket host)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config

from tests.conftest import LiveServer

PATH_STYLE = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})


@pytest.fixture
def s3_for(server: LiveServer) -> Callable[..., Any]:
    def client(**options: Any) -> Any:
        return server.client("s3", config=PATH_STYLE, **options)

    return client


@pytest.fixture
def s3(s3_for: Callable[..., Any]) -> Any:
    return s3_for()


@pytest.fixture
def bucket(s3: Any) -> str:
    """A new bucket of the default account, in us-east-1."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


def error_code(error: Any) -> str:
    return str(error.value.response["Error"]["Code"])
