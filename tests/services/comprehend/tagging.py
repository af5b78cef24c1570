"""Helpers for the tagging tests: a Comprehend client speaking Smithy RPC v2 CBOR instead of
botocore's default for this service (JSON 1.1), and offset checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from unittest import mock

import botocore.model
from botocore.config import Config

from tests.conftest import LiveServer

PROTOCOLS = ("json", "smithy-rpc-v2-cbor")  # both in the model's protocols list


def client(server: LiveServer, protocol: str = "json") -> Any:
    """A client that speaks ``protocol``: botocore takes the first of its priority list. It
    waits as long as batches of real text may take on a shared two-core machine."""
    patient = Config(read_timeout=600, retries={"total_max_attempts": 1})
    with mock.patch.object(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS", (protocol,)):
        made = server.client("comprehend", config=patient)
    assert made.meta.service_model.resolved_protocol == protocol
    return made


def assert_offsets(text: str, items: Iterable[Mapping[str, Any]]) -> None:
    """Each item's offsets slice the text exactly (to its Text when it has one)."""
    for item in items:
        begin, end = item["BeginOffset"], item["EndOffset"]
        assert 0 <= begin < end <= len(text), item
        if "Text" in item:
            assert text[begin:end] == item["Text"], item
