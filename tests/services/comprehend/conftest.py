"""Comprehend fixtures: a boto3 client on the session's live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def comprehend(database: str, server: LiveServer) -> Any:
    return server.client("comprehend")
