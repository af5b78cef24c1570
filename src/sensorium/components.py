"""Everything a running server holds, built once at startup and handed to each service.

A service package exposes ``install(components)``: it registers its operation handlers,
its models and any startup recovery (re-queueing persisted jobs). Services see no HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sensorium.blobs import BlobStore
from sensorium.config import Settings
from sensorium.models.registry import ModelRegistry
from sensorium.operations import OperationRegistry
from sensorium.storage.database import Database

log = logging.getLogger(__name__)


class JobRunner:
    """A bounded pool for asynchronous jobs (transcriptions, synthesis tasks, builds...).

    Jobs must persist their own state; on restart each service re-submits what was queued
    and settles what was interrupted.
    """

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future = self._pool.submit(function, *args)
        future.add_done_callback(_log_failure)
        return future

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("background job failed", exc_info=future.exception())


@dataclass
class Components:
    settings: Settings
    database: Database
    blobs: BlobStore
    models: ModelRegistry
    operations: OperationRegistry
    jobs: JobRunner
    shutdown_hooks: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for hook in reversed(self.shutdown_hooks):
            hook()
        self.jobs.shutdown()
        self.database.dispose()
