"""The job system a server runs: kinds registered by services, worker threads that claim
and run jobs, and one heartbeat thread that renews their leases.

Any number of processes may run workers on one database; each claims only the kinds it
has registered. Jobs enqueued by this process wake its workers at once (after the commit);
jobs enqueued elsewhere are found by polling.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from sensorium.context import Scope
from sensorium.errors import ModelUnavailable
from sensorium.jobs import policy
from sensorium.jobs.kinds import JobCancelled, JobFailed, JobKind, RunningJob
from sensorium.jobs.policy import RetryPolicy
from sensorium.jobs.queue import JobQueue, Lease, owner_id
from sensorium.jobs.tables import JobRow, JobState
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow

log = logging.getLogger(__name__)


class JobSystem:
    def __init__(
        self,
        db: Database,
        *,
        workers: int = 4,
        retry: RetryPolicy | None = None,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.5,
        host: str | None = None,
    ) -> None:
        self.queue = JobQueue(db, retry or RetryPolicy(), lease_seconds)
        self.kinds: dict[str, JobKind[Any]] = {}
        self._claimed = self.kinds  # what this process's workers claim
        self.host = host or socket.gethostname()
        self.owner = owner_id(self.host, uuid.uuid4().hex[:8])
        self._workers = workers
        self._lease_seconds = lease_seconds
        self._poll_seconds = poll_seconds
        self._wake = threading.Condition()
        self._pending_wakeups = 0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[int, RunningJob] = {}
        self._running_lock = threading.Lock()

    # Set-up

    def register(self, kind: JobKind[Any]) -> None:
        if kind.name in self.kinds:
            raise ValueError(f"a job kind named {kind.name!r} is already registered")
        self.kinds[kind.name] = kind

    def start(self, claims: Callable[[JobKind[Any]], bool] | None = None) -> None:
        """Recover what dead local workers held, then start the worker threads; they claim
        the kinds ``claims`` accepts (default: every kind registered)."""
        if claims is not None:
            self._claimed = {name: kind for name, kind in self.kinds.items() if claims(kind)}
        expired = self.queue.expire_dead_local(self.host)
        if expired:
            log.info(
                "jobs: %d job(s) of stopped processes on this host are claimable again", expired
            )
        for number in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"job-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        beat = threading.Thread(target=self._heartbeat, name="job-heartbeat", daemon=True)
        beat.start()
        self._threads.append(beat)

    def stop(self) -> None:
        """Stop claiming; hand back what is still running (their threads are abandoned)."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        try:
            self.queue.release(self.owner, self.kinds)
        except Exception:
            log.exception("jobs: could not release running jobs at shutdown")

    # Used by services

    def submit(
        self,
        session: Session,
        kind: str,
        scope: Scope,
        resource: str,
        payload: dict[str, Any] | None = None,
    ) -> JobRow:
        """Enqueue in the caller's transaction; this process's workers wake on commit."""
        if kind not in self.kinds:
            raise ValueError(f"no job kind {kind!r} is registered")
        row = JobRow(
            kind=kind,
            account_id=scope.account_id,
            region=scope.region,
            resource=resource,
            payload=payload or {},
            state=JobState.QUEUED,
            attempts=0,
            max_attempts=self.kinds[kind].max_attempts or self.queue.retry.max_attempts,
            not_before=utcnow(),
            cancel_requested=False,
        )
        session.add(row)
        event.listen(session, "after_commit", self._after_commit, once=True)
        return row

    def cancel(self, session: Session, kind: str, resource: str) -> int:
        """Cancel the unfinished jobs of ``kind`` on ``resource`` (in the caller's
        transaction). Running ones stop at their next check: at once when this process
        runs them, else when their worker's heartbeat sees the request."""
        running = [row.id for row in self.queue.active(session, kind, resource)]
        count = self.queue.cancel(session, kind, resource, self.kinds)

        def stop_local(_session: Session) -> None:
            with self._running_lock:
                for job_id in running:
                    if job_id in self._running:
                        self._running[job_id].stop()

        event.listen(session, "after_commit", stop_local, once=True)
        return count

    # Workers

    def _after_commit(self, _session: Session) -> None:
        with self._wake:
            self._pending_wakeups += 1
            self._wake.notify()

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                with self._running_lock:
                    alive = list(self._running)
                row = self.queue.claim(self.owner, self._claimed, alive)
            except Exception:
                log.exception("jobs: claiming failed")
                row = None
            if row is None:
                with self._wake:
                    if self._pending_wakeups == 0:
                        self._wake.wait(self._poll_seconds)
                    self._pending_wakeups = max(0, self._pending_wakeups - 1)
                continue
            self._run(row)

    def _run(self, row: JobRow) -> None:
        kind = self.kinds[row.kind]
        job = RunningJob(row)
        lease = Lease(self.owner, job.id, job.attempt)
        with self._running_lock:
            self._running[job.id] = job
        try:
            try:
                outcome = kind.run(job)
            except JobCancelled:
                self.queue.finish(lease, kind, cancelled=True)
            except JobFailed as failure:
                self.queue.finish(lease, kind, failure=str(failure))
            except ModelUnavailable as missing:  # may be mended (weights fetched) by a retry
                self.queue.finish(lease, kind, failure=str(missing), retryable=True)
            except Exception as error:
                log.exception("job %s (%s) failed, attempt %d", job.id, job.kind, job.attempt)
                reason = policy.internal_error(error)
                self.queue.finish(lease, kind, failure=reason, retryable=True)
            else:
                self.queue.finish(lease, kind, outcome=outcome)
        except Exception:
            # Settling failed (the database is gone?): the lease expires and the job is
            # claimed again.
            log.exception("job %s (%s): could not record its outcome", job.id, job.kind)
        finally:
            with self._running_lock:
                self._running.pop(job.id, None)

    def _heartbeat(self) -> None:
        interval = self._lease_seconds / 3
        while not self._stopping.wait(interval):
            with self._running_lock:
                running = dict(self._running)
            if not running:
                continue
            began = time.monotonic()
            try:
                stop = self.queue.renew(
                    self.owner, {job_id: job.reported_progress for job_id, job in running.items()}
                )
            except Exception:
                log.exception("jobs: renewing leases failed")
                continue
            if (took := time.monotonic() - began) > interval:
                log.warning("jobs: renewing %d lease(s) took %.1f s", len(running), took)
            for job_id in stop:
                running[job_id].stop()

    @property
    def running(self) -> int:
        with self._running_lock:
            return len(self._running)
