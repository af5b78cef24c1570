"""Everything a running server holds, built once at startup and handed to each service.

A service package exposes ``install(components)``: it registers its operation handlers,
its models and its job kinds, and returns the service object, which other services reach
through ``components.service(...)`` (Lex speaks with Polly's synthesizer and listens with
Transcribe's recogniser). Services see no HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sensorium.blobs import Buckets
from sensorium.config import Settings
from sensorium.errors import ErrorSet
from sensorium.jobs import JobSystem
from sensorium.models.registry import ModelRegistry
from sensorium.operations import OperationRegistry
from sensorium.storage.database import Database
from sensorium.storage.paging import Paginator, TokenSigner

S = TypeVar("S")


@dataclass
class Components:
    settings: Settings
    database: Database
    blobs: Buckets
    models: ModelRegistry
    operations: OperationRegistry
    jobs: JobSystem
    tokens: TokenSigner
    services: dict[str, object] = field(default_factory=dict)
    shutdown_hooks: list[Callable[[], None]] = field(default_factory=list)

    def paginator(self, errors: ErrorSet, max_token_length: int = 8192) -> Paginator:
        """Pages for a service: its own error for a token it refuses."""
        return Paginator(self.tokens, errors.bad_token, max_token_length)

    def service(self, name: str, kind: type[S]) -> S | None:
        """The installed service ``name`` (None when it is not enabled)."""
        found = self.services.get(name)
        if found is None:
            return None
        if not isinstance(found, kind):
            raise TypeError(f"service {name!r} is a {type(found).__name__}, not {kind.__name__}")
        return found

    def close(self) -> None:
        for hook in reversed(self.shutdown_hooks):
            hook()
        self.jobs.stop()
        self.database.dispose()
