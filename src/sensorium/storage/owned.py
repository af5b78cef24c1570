"""Rows that belong to an account and region, and sessions that only ever see one scope.

Every resource table mixes in ``Owned``. A session is opened for a scope
(``db.transaction(ctx.scope)``): each ORM select, update and delete in it is filtered to
that account and region (``with_loader_criteria`` on every statement, whatever its shape:
joins, counts, ``select_from``), and rows added in it are stamped with them. A session
opened ``UNSCOPED`` (the job system, recovery at start-up) sees every account; one opened
without saying either cannot run a query at all. So a query that forgets the caller's
account cannot be written by accident.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria

from sensorium.context import Scope

SCOPE_KEY = "sensorium.scope"


class Unscoped(enum.Enum):
    UNSCOPED = "unscoped"


UNSCOPED = Unscoped.UNSCOPED
SessionScope = Scope | Unscoped


class ScopeViolation(RuntimeError):
    """Owned rows touched outside a scope, or a row written into another account."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Owned:
    """An owned resource: its account, region and timestamps."""

    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def scope(self) -> Scope:
        return Scope(self.account_id, self.region)


def aware(stamp: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def scope_of(session: Session) -> SessionScope | None:
    found = session.info.get(SCOPE_KEY)
    return found if isinstance(found, (Scope, Unscoped)) else None


@event.listens_for(Session, "do_orm_execute")
def _filter_to_scope(state: ORMExecuteState) -> None:
    scope = scope_of(state.session)
    if scope is UNSCOPED:
        return
    if not isinstance(scope, Scope):
        # Every session Sensorium opens says whose it is; one that does not is a bug.
        raise ScopeViolation(
            "a session opened for no scope ran a query; open it with the caller's scope "
            "(or UNSCOPED for system work)"
        )
    if not (state.is_select or state.is_update or state.is_delete):
        return
    account, region = scope.account_id, scope.region
    state.statement = state.statement.options(
        with_loader_criteria(
            Owned,
            lambda cls: (cls.account_id == account) & (cls.region == region),
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    scope = scope_of(session)
    for row in session.new:
        if not isinstance(row, Owned):
            continue
        if isinstance(scope, Scope):
            if row.account_id is None and row.region is None:
                row.account_id, row.region = scope.account_id, scope.region
            elif (row.account_id, row.region) != (scope.account_id, scope.region):
                raise ScopeViolation(f"a row of {scope} cannot be written into another scope")
        elif scope is not UNSCOPED:
            raise ScopeViolation("owned rows added in a session opened for no scope")
        elif row.account_id is None or row.region is None:
            raise ScopeViolation("an owned row added UNSCOPED needs its account and region")
