"""One retry policy and one failure-reason format for every kind of job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 2
    backoff_seconds: float = 2.0  # before the second attempt; doubled for each one after
    max_backoff_seconds: float = 60.0

    def delay(self, attempts: int) -> dt.timedelta:
        """How long a job that failed its ``attempts``-th attempt waits before the next."""
        seconds = self.backoff_seconds * 2 ** max(0, attempts - 1)
        return dt.timedelta(seconds=min(seconds, self.max_backoff_seconds))


def internal_error(error: BaseException) -> str:
    """The reason shown for an unexpected exception (details go to the server log)."""
    return f"Internal error: {type(error).__name__}."


def gave_up(attempts: int, last: str) -> str:
    """The reason shown when the last allowed attempt failed too."""
    times = "once" if attempts == 1 else f"{attempts} times"
    return f"{last} The job was tried {times}; it was not retried again."


def worker_lost(attempts: int) -> str:
    times = "once" if attempts == 1 else f"{attempts} times"
    return f"The server stopped while this job was running, {times}; it was not retried again."
