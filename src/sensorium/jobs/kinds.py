"""What a kind of job is: the work, and how its service mirrors each change of state.

A service declares one ``JobKind`` per kind of background work (a transcription, a synthesis
task, a bot build, each Forecast step). ``run`` does the work outside any transaction; the
hooks run inside the job system's own transactions, opened in the job's scope, so the
service's resource row and the job row always change together.
"""

from __future__ import annotations

import abc
import threading
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.orm import Session

from sensorium.context import Scope
from sensorium.jobs.tables import JobRow

T = TypeVar("T")


class JobFailed(Exception):
    """The job cannot succeed, whatever the retries: the message is the reason the caller
    sees (a missing input, an unreadable file...)."""


class JobCancelled(Exception):
    """Raised by ``RunningJob.check`` when the job was cancelled or its lease was lost."""


class RunningJob:
    """The job as its worker sees it while ``run`` works."""

    def __init__(self, row: JobRow) -> None:
        self.id = row.id
        self.kind = row.kind
        self.scope: Scope = row.scope
        self.resource = row.resource
        self.payload: dict[str, Any] = dict(row.payload or {})
        self.attempt = row.attempts
        self._progress: float | None = None
        self._stopped = threading.Event()

    def progress(self, fraction: float) -> None:
        """How far the work is, 0 to 1 (stored with the next heartbeat)."""
        self._progress = min(1.0, max(0.0, fraction))

    @property
    def reported_progress(self) -> float | None:
        return self._progress

    def stop(self) -> None:
        """Cancelled, or the lease was lost: the work should end at its next check."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def check(self) -> None:
        """Call between steps of long work: raises ``JobCancelled`` if it should stop."""
        if self._stopped.is_set():
            raise JobCancelled(f"job {self.id} was cancelled")


class JobKind(abc.ABC, Generic[T]):
    """One kind of background work."""

    name: ClassVar[str]  # "service.what", e.g. "transcribe.transcription"
    max_attempts: ClassVar[int | None] = None  # None: the configured default
    # The work is much faster on a GPU: on a Ray cluster that has GPUs, only workers given
    # one claim it (``jobs/ray_workers.py``). An instance may decide from its settings.
    accelerated: bool = False

    @abc.abstractmethod
    def run(self, job: RunningJob) -> T:
        """Do the work. Raise ``JobFailed`` for a failure no retry can mend; any other
        exception is retried (up to the attempts allowed) with a backoff."""

    def started(self, session: Session, job: JobRow) -> None:
        """A worker took the job."""

    def succeeded(self, session: Session, job: JobRow, outcome: T) -> dict[str, Any] | None:
        """Record the outcome; what it returns is kept as the job's result."""
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        """The job ended FAILED with ``reason``."""

    def requeued(self, session: Session, job: JobRow) -> None:
        """An attempt failed (or its worker died) and the job waits for another."""

    def cancelled(self, session: Session, job: JobRow) -> None:
        """The job was cancelled before it finished."""
