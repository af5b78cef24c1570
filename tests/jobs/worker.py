"""A worker process for the job system's tests: ``python -m tests.jobs.worker DB_URL``.

It registers three kinds of test work and runs jobs until it is terminated (or killed).
Every start and finish is appended to the file the job's payload names, with this
process's id, so tests can see who ran what.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sensorium.jobs import JobFailed, JobKind, JobSystem, RetryPolicy, RunningJob
from sensorium.storage.database import Database

SLEEP = "test.sleep"
FAIL = "test.fail"
REFUSE = "test.refuse"


def note(job: RunningJob, event: str) -> None:
    with Path(job.payload["log"]).open("a") as log:
        log.write(f"{os.getpid()} {event} {job.id}\n")


class Sleep(JobKind[dict[str, Any]]):
    name = SLEEP

    def run(self, job: RunningJob) -> dict[str, Any]:
        note(job, "start")
        deadline = time.monotonic() + float(job.payload["seconds"])
        while time.monotonic() < deadline:
            job.check()
            time.sleep(0.02)
        note(job, "done")
        return {"pid": os.getpid()}

    def succeeded(self, session: Any, job: Any, outcome: dict[str, Any]) -> dict[str, Any]:
        return outcome


class Fail(JobKind[None]):
    name = FAIL

    def run(self, job: RunningJob) -> None:
        note(job, "start")
        raise RuntimeError("the test job always breaks")


class Refuse(JobKind[None]):
    name = REFUSE

    def run(self, job: RunningJob) -> None:
        note(job, "start")
        raise JobFailed("the input can never work")


def main() -> None:
    url, host, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    database = Database(url)
    system = JobSystem(
        database,
        workers=workers,
        retry=RetryPolicy(max_attempts=2, backoff_seconds=0.05),
        lease_seconds=1.0,
        poll_seconds=0.05,
        host=host,
    )
    for kind in (Sleep(), Fail(), Refuse()):
        system.register(kind)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    system.start()
    print("ready", flush=True)
    stopped.wait()
    system.stop()


if __name__ == "__main__":
    main()
