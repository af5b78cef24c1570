"""The job table's operations: enqueue, claim, renew, settle, cancel.

Every change is one transaction, safe across processes and hosts: a claim takes the
database's write lock on SQLite (``BEGIN IMMEDIATE``) and skips rows other workers hold on
PostgreSQL (``FOR UPDATE SKIP LOCKED``). A worker holds a job through a lease it renews; a
job whose lease expired (its worker died) is claimed again, and counts as an attempt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Collection, Iterator, Mapping
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sensorium.context import Scope
from sensorium.jobs import policy
from sensorium.jobs.kinds import JobKind
from sensorium.jobs.policy import RetryPolicy
from sensorium.jobs.tables import FINISHED, JobRow, JobState
from sensorium.storage.database import Database
from sensorium.storage.owned import SCOPE_KEY, UNSCOPED, scope_of, utcnow

log = logging.getLogger(__name__)
Kinds = Mapping[str, JobKind[Any]]


class _ScopeBusy(Exception):
    """The job's account has a writer now: try the claim again later."""


class Lease(NamedTuple):
    """Who holds which attempt of which job."""

    owner: str
    job_id: int
    attempt: int


class JobQueue:
    def __init__(self, db: Database, retry: RetryPolicy, lease_seconds: float) -> None:
        self.db = db
        self.retry = retry
        self.lease = dt.timedelta(seconds=lease_seconds)

    # Called by services, inside their own transaction.

    def active(self, session: Session, kind: str, resource: str) -> list[JobRow]:
        """The unfinished jobs of ``kind`` on ``resource``, of the session's scope (jobs are
        not owned rows, so the scope is applied here)."""
        query = select(JobRow).where(
            JobRow.kind == kind,
            JobRow.resource == resource,
            JobRow.state.in_([JobState.QUEUED, JobState.RUNNING]),
        )
        scope = scope_of(session)
        if isinstance(scope, Scope):
            query = query.where(
                JobRow.account_id == scope.account_id, JobRow.region == scope.region
            )
        return list(session.scalars(query))

    def cancel(self, session: Session, kind: str, resource: str, kinds: Kinds) -> int:
        """Cancel the unfinished jobs of ``kind`` on ``resource``: queued ones at once,
        running ones when their worker next checks. Returns how many were cancelled."""
        found = self.active(session, kind, resource)
        for row in found:
            if row.state == JobState.QUEUED:
                self._settle(session, row, JobState.CANCELLED)
                kinds[row.kind].cancelled(session, row)
            else:
                row.cancel_requested = True
        return len(found)

    # Called by workers.

    def claim(self, owner: str, kinds: Kinds, alive: Collection[int] = ()) -> JobRow | None:
        """The oldest job of ``kinds`` that is due, now RUNNING under ``owner``'s lease.
        The jobs in ``alive`` (those the caller is running now) are never taken again,
        however late their lease: a late lease there means a slow heartbeat, not a death."""
        if not kinds:
            return None
        try:
            return self._claim(owner, kinds, alive)
        except _ScopeBusy:
            return None  # claimed at the next poll, once the account's writer is done

    def _claim(self, owner: str, kinds: Kinds, alive: Collection[int]) -> JobRow | None:
        with self.db.transaction(UNSCOPED) as session:
            while True:
                now = utcnow()
                row = session.scalar(
                    select(JobRow)
                    .where(
                        JobRow.kind.in_(list(kinds)),
                        or_(
                            and_(JobRow.state == JobState.QUEUED, JobRow.not_before <= now),
                            and_(
                                JobRow.state == JobState.RUNNING,
                                JobRow.lease_expires_at < now,
                                JobRow.id.not_in(list(alive)),
                            ),
                        ),
                    )
                    .order_by(JobRow.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                if row is None:
                    return None
                kind = kinds[row.kind]
                # The hooks write the service's rows, whose writers hold the account's lock
                # first and may then wait for this job's row (cancelling it): waiting for
                # that lock while holding the row would deadlock them.
                if not self.db.try_hold(session, row.scope):
                    raise _ScopeBusy
                if row.state == JobState.RUNNING:  # its worker died
                    log.warning(
                        "job %s (%s): lease of %s expired", row.id, row.kind, row.lease_owner
                    )
                    if row.cancel_requested:
                        with _in_scope(session, row):
                            self._settle(session, row, JobState.CANCELLED)
                            kind.cancelled(session, row)
                        continue
                    if row.attempts >= row.max_attempts:
                        reason = policy.worker_lost(row.attempts)
                        with _in_scope(session, row):
                            self._settle(session, row, JobState.FAILED, reason)
                            kind.failed(session, row, reason)
                        continue
                row.state = JobState.RUNNING
                row.attempts += 1
                row.lease_owner = owner
                row.lease_expires_at = now + self.lease
                row.started_at = now
                with _in_scope(session, row):
                    kind.started(session, row)
                return row

    def renew(self, owner: str, progress: Mapping[int, float | None]) -> set[int]:
        """Extend the leases ``owner`` holds on these jobs; the ids it must stop (cancelled,
        or no longer its own). A job whose row another transaction is changing now (its
        outcome being recorded, a cancel) is renewed at the next beat: one slow writer never
        holds back every other job's lease."""
        stop: set[int] = set()
        if not progress:
            return stop
        ids = list(progress)
        with self.db.transaction(UNSCOPED) as session:
            present = set(session.scalars(select(JobRow.id).where(JobRow.id.in_(ids))))
            stop.update(job_id for job_id in ids if job_id not in present)
            expires = utcnow() + self.lease
            for row in session.scalars(
                select(JobRow).where(JobRow.id.in_(ids)).with_for_update(skip_locked=True)
            ):
                if row.state != JobState.RUNNING or row.lease_owner != owner:
                    stop.add(row.id)
                    continue
                row.lease_expires_at = expires
                fraction = progress[row.id]
                if fraction is not None:
                    row.progress = fraction
                if row.cancel_requested:
                    stop.add(row.id)
        return stop

    def finish(
        self,
        lease: Lease,
        kind: JobKind[Any],
        *,
        outcome: Any = None,
        failure: str | None = None,
        retryable: bool = False,
        cancelled: bool = False,
    ) -> bool:
        """Record how the leased attempt ended: ``outcome`` (success), ``failure`` (retried
        when ``retryable`` and attempts remain) or ``cancelled``. A cancel request wins. False
        when the lease was lost (the job was reclaimed): the outcome is dropped."""
        with self.db.transaction(UNSCOPED) as session:
            row = session.get(JobRow, lease.job_id)
            if row is not None:
                # The account's own writers (a user deleting the job's resource) take this
                # lock first too: taken before any row, no two of them wait on each other.
                self.db.hold(session, row.scope)
                row = session.get(JobRow, lease.job_id, populate_existing=True)
            if row is None or (row.state, row.lease_owner, row.attempts) != (
                JobState.RUNNING,
                lease.owner,
                lease.attempt,
            ):
                log.info("job %s: no longer held by %s; its outcome is dropped", *lease[:2])
                return False
            with _in_scope(session, row):
                if cancelled or row.cancel_requested:
                    self._settle(session, row, JobState.CANCELLED)
                    kind.cancelled(session, row)
                elif failure is None:
                    row.result = kind.succeeded(session, row, outcome)
                    row.progress = 1.0
                    self._settle(session, row, JobState.SUCCEEDED)
                elif retryable and row.attempts < row.max_attempts:
                    self._requeue(row, utcnow() + self.retry.delay(row.attempts))
                    kind.requeued(session, row)
                else:
                    reason = policy.gave_up(row.attempts, failure) if retryable else failure
                    self._settle(session, row, JobState.FAILED, reason)
                    kind.failed(session, row, reason)
            return True

    def release(self, owner: str, kinds: Kinds) -> None:
        """At a graceful stop: hand the jobs ``owner`` still runs back to the queue; an
        attempt cut short by a clean shutdown does not count."""
        with self.db.transaction(UNSCOPED) as session:
            for row in session.scalars(
                select(JobRow).where(JobRow.state == JobState.RUNNING, JobRow.lease_owner == owner)
            ):
                self._requeue(row, utcnow())
                row.attempts = max(0, row.attempts - 1)
                if row.kind in kinds:
                    with _in_scope(session, row):
                        kinds[row.kind].requeued(session, row)

    def expire_dead_local(self, host: str) -> int:
        """At start-up: jobs held by processes of this host that no longer exist are
        claimable at once instead of when their lease would have expired."""
        count = 0
        with self.db.transaction(UNSCOPED) as session:
            for row in session.scalars(
                select(JobRow).where(
                    JobRow.state == JobState.RUNNING, JobRow.lease_owner.startswith(f"{host}:")
                )
            ):
                pid = _pid_of(row.lease_owner or "")
                if pid is not None and not _alive(pid):
                    row.lease_expires_at = utcnow() - dt.timedelta(seconds=1)
                    count += 1
        return count

    # Internals

    @staticmethod
    def _requeue(row: JobRow, not_before: dt.datetime) -> None:
        row.state = JobState.QUEUED
        row.not_before = not_before
        row.lease_owner = None
        row.lease_expires_at = None

    @staticmethod
    def _settle(session: Session, row: JobRow, state: JobState, reason: str | None = None) -> None:
        assert state in FINISHED
        row.state = state
        row.failure_reason = reason
        row.finished_at = utcnow()
        row.lease_owner = None
        row.lease_expires_at = None


def owner_id(host: str, token: str) -> str:
    """A worker process's lease owner name: host, pid and a random token."""
    return f"{host}:{os.getpid()}:{token}"


def _pid_of(owner: str) -> int | None:
    parts = owner.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _in_scope(session: Session, row: JobRow) -> Iterator[None]:
    """Run a service's hook in the job's account and region (rows it adds are flushed in
    that scope too, before the session goes back to its own)."""
    previous = session.info.get(SCOPE_KEY)
    session.info[SCOPE_KEY] = row.scope
    try:
        yield
        session.flush()
    finally:
        session.info[SCOPE_KEY] = previous
