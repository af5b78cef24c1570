"""The durable job system across processes: killed workers, concurrent workers, retries,
permanent failures and cancellation, on one database (SQLite or PostgreSQL)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sensorium.context import Scope
from sensorium.jobs import JobRow, JobState, JobSystem, RetryPolicy
from sensorium.storage.database import Database
from sensorium.storage.owned import UNSCOPED
from tests.conftest import ROOT, migrated
from tests.jobs.worker import FAIL, REFUSE, SLEEP, Fail, Refuse, Sleep

SCOPE = Scope("123456789012", "us-east-1")
KINDS = {kind.name: kind for kind in (Sleep(), Fail(), Refuse())}


class Workers:
    """Worker processes (``tests.jobs.worker``) on one database."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, host: str = "test-host", threads: int = 1) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.worker", self.url, host, str(threads)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=(self.folder / f"worker-{len(self.processes)}.log").open("wb"),
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    db = migrated(tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def workers(db: Database, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(db.url, tmp_path)
    yield group
    group.stop()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "events.log"
    path.touch()
    return path


def system(db: Database) -> JobSystem:
    """A job system of this process that runs no workers: for submitting and cancelling."""
    jobs = JobSystem(db, retry=RetryPolicy(max_attempts=2), lease_seconds=1.0)
    for kind in KINDS.values():
        jobs.register(kind)
    return jobs


def enqueue(db: Database, kind: str, log: Path, **payload: Any) -> int:
    with db.transaction(UNSCOPED) as session:
        row = system(db).submit(session, kind, SCOPE, "resource", {"log": str(log), **payload})
        session.flush()
        return row.id


def job(db: Database, job_id: int) -> JobRow:
    with db.reading(UNSCOPED) as session:
        found = session.get(JobRow, job_id)
        assert found is not None
        return found


def events(log: Path) -> list[tuple[int, str, int]]:
    return [
        (int(pid), event, int(job_id))
        for pid, event, job_id in (line.split() for line in log.read_text().splitlines())
    ]


def wait_until(condition: Callable[[], bool], limit: float = 60) -> None:
    """Polls (the limit only guards a hang; nothing is asserted about time)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(0.05)


def test_a_killed_worker_job_is_reclaimed_and_finished_by_another(
    db: Database, workers: Workers, log: Path
) -> None:
    job_id = enqueue(db, SLEEP, log, seconds=2)
    first = workers.start(host="host-a")
    wait_until(lambda: any(event == "start" for _, event, _ in events(log)))
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert job(db, job_id).state == JobState.RUNNING  # held by a dead worker

    # Another host cannot tell that the worker died: it waits for the lease to expire.
    second = workers.start(host="host-b")
    wait_until(lambda: job(db, job_id).state == JobState.SUCCEEDED)
    finished = job(db, job_id)
    assert finished.attempts == 2
    assert finished.result == {"pid": second.pid}
    assert [(pid, event) for pid, event, _ in events(log)] == [
        (first.pid, "start"),
        (second.pid, "start"),
        (second.pid, "done"),
    ]


def test_a_restarted_worker_on_the_same_host_reclaims_at_once(
    db: Database, workers: Workers, log: Path
) -> None:
    job_id = enqueue(db, SLEEP, log, seconds=1)
    first = workers.start()
    wait_until(lambda: len(events(log)) == 1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    workers.start()
    wait_until(lambda: job(db, job_id).state == JobState.SUCCEEDED)
    assert job(db, job_id).attempts == 2


def test_two_processes_never_run_the_same_job(db: Database, workers: Workers, log: Path) -> None:
    # Both are up before the work arrives, so both compete for it.
    workers.start(host="host-a", threads=2)
    workers.start(host="host-b", threads=2)
    ids = [enqueue(db, SLEEP, log, seconds=0.1) for _ in range(24)]

    def settled() -> bool:
        with db.reading(UNSCOPED) as session:
            states = session.scalars(select(JobRow.state).where(JobRow.id.in_(ids))).all()
        return all(state == JobState.SUCCEEDED for state in states)

    wait_until(settled)
    starts = Counter(job_id for _, event, job_id in events(log) if event == "start")
    assert sorted(starts) == sorted(ids)
    assert set(starts.values()) == {1}
    assert len({pid for pid, _, _ in events(log)}) == 2  # both processes took work


def test_a_job_that_fails_twice_ends_failed_with_the_reason(
    db: Database, workers: Workers, log: Path
) -> None:
    job_id = enqueue(db, FAIL, log)
    workers.start()
    wait_until(lambda: job(db, job_id).state == JobState.FAILED)
    failed = job(db, job_id)
    assert failed.attempts == 2
    assert failed.failure_reason is not None
    assert "Internal error: RuntimeError" in failed.failure_reason
    assert "tried 2 times" in failed.failure_reason
    assert len(events(log)) == 2


def test_a_permanent_failure_is_not_retried(db: Database, workers: Workers, log: Path) -> None:
    job_id = enqueue(db, REFUSE, log)
    workers.start()
    wait_until(lambda: job(db, job_id).state == JobState.FAILED)
    failed = job(db, job_id)
    assert (failed.attempts, failed.failure_reason) == (1, "the input can never work")


def test_cancel_a_queued_job_and_a_running_one(db: Database, workers: Workers, log: Path) -> None:
    jobs = system(db)
    queued = enqueue(db, SLEEP, log, seconds=60)
    with db.transaction(UNSCOPED) as session:
        assert jobs.cancel(session, SLEEP, "resource") == 1
    assert job(db, queued).state == JobState.CANCELLED

    running = enqueue(db, SLEEP, log, seconds=60)
    workers.start()
    wait_until(lambda: job(db, running).state == JobState.RUNNING)
    with db.transaction(UNSCOPED) as session:
        jobs.cancel(session, SLEEP, "resource")
    # The worker's heartbeat sees the request and its check() stops the work.
    wait_until(lambda: job(db, running).state == JobState.CANCELLED)
    assert [event for _, event, _ in events(log)] == ["start"]


def test_a_graceful_stop_hands_running_jobs_back(db: Database, workers: Workers, log: Path) -> None:
    job_id = enqueue(db, SLEEP, log, seconds=60)
    first = workers.start()
    wait_until(lambda: job(db, job_id).state == JobState.RUNNING)
    first.send_signal(signal.SIGTERM)
    first.wait(10)
    handed_back = job(db, job_id)
    assert (handed_back.state, handed_back.attempts) == (JobState.QUEUED, 0)


def test_a_late_lease_of_a_job_still_running_here_is_not_taken_again(
    db: Database, log: Path
) -> None:
    # A starved heartbeat lets the lease lapse; the process still runs the job, so its
    # other workers must not start a second copy (each would fail the other).
    job_id = enqueue(db, SLEEP, log, seconds=1)
    queue = system(db).queue
    claimed = queue.claim("here:1:a", KINDS)
    assert claimed is not None and claimed.id == job_id
    time.sleep(1.2)  # past the one-second lease
    assert queue.claim("here:1:a", KINDS, alive=[job_id]) is None
    assert job(db, job_id).attempts == 1
    assert queue.renew("here:1:a", {job_id: 0.5}) == set()
    # Not running here any more (its worker thread is gone): claimable again.
    time.sleep(1.2)
    again = queue.claim("here:1:a", KINDS)
    assert again is not None and again.id == job_id and again.attempts == 2
