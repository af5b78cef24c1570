"""Protocol-neutral HTTP request and response, and what every wire protocol implements."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.model import OperationModel

from sensorium.errors import ServiceError
from sensorium.protocol.catalog import Service


@dataclass(frozen=True)
class WireRequest:
    method: str
    raw_path: str  # exactly as sent, still percent-encoded: SigV4 signs it so
    query: str  # raw query string, without "?"
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    scheme: str = "http"  # how the client reached the server (http or https)


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterator[bytes] = b""
    # Run once the response is over: sent whole, or abandoned by a client that went away.
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Run the closers now (a body already complete)."""
        closers, self.closers = self.closers, []
        for closer in closers:
            closer()


@dataclass(frozen=True)
class Target:
    """The service and (if it exists in the model) operation a request is addressed to."""

    service: Service
    operation: OperationModel | None
    operation_name: str
    path_params: Mapping[str, str] = field(default_factory=dict)


class WireProtocol(abc.ABC):
    """One AWS wire protocol: find the target, decode the input, encode the output/errors."""

    name: str
    request_id_header = "x-amzn-RequestId"

    @abc.abstractmethod
    def claims(self, request: WireRequest) -> bool:
        """Whether the request is in this protocol (from headers and path alone)."""

    @abc.abstractmethod
    def target(self, request: WireRequest, signing_name: str | None) -> Target | None:
        """The addressed service/operation; ``None`` when no service here matches."""

    @abc.abstractmethod
    def decode(self, request: WireRequest, target: Target) -> dict[str, Any]:
        """The operation's input as a dict (type-checked, not yet validated)."""

    @abc.abstractmethod
    def encode(self, target: Target, result: dict[str, Any]) -> WireResponse:
        """The HTTP response for a handler's result."""

    @abc.abstractmethod
    def encode_error(
        self, service: Service | None, error: ServiceError, request_id: str = ""
    ) -> WireResponse:
        """The HTTP response for an error, as this protocol encodes errors."""


def error_status(service: Service | None, error: ServiceError) -> int:
    if error.status is not None:
        return error.status
    modelled = service.error_status(error.code) if service is not None else None
    return modelled or 400
