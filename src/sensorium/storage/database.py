"""Engine, sessions and migrations.

SQLite runs in WAL mode with foreign keys on; every write is one transaction
(``with db.transaction(ctx.scope) as session``), so a server killed mid-request leaves
either the whole change or none of it. Every session is opened for a scope: see
``storage.owned``.

Writers see the same world on both stores of record. SQLite runs one write transaction at a
time (``BEGIN IMMEDIATE``). PostgreSQL runs many at once in READ COMMITTED, so a service's
"look, then insert or change" (a name not yet taken, a count under its quota) could race;
there a write transaction for a scope first takes that account and region's advisory lock,
so the writes of one account and region still follow one another while other accounts' run
alongside. Nodes starting together migrate one at a time under another advisory lock.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from sensorium.context import Scope
from sensorium.errors import ValidationError
from sensorium.storage.owned import SCOPE_KEY, SessionScope

_MIGRATIONS = Path(__file__).with_name("migrations")
# The PostgreSQL advisory lock that migrations hold (any fixed 64-bit number of our own).
_MIGRATION_LOCK = 0x53454E534F524955  # "SENSORIU"
# Held until the transaction ends, whichever way it ends.
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
# serialization_failure, deadlock_detected, lock_not_available
_CONTENDED_STATES = ("40001", "40P01", "55P03")


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'sensorium.db'}"


class Database:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = _create_engine(url, pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads take no write lock: in WAL they never wait for (or block) a writer.
        self._readers = sessionmaker(
            self.engine.execution_options(read_only=True), expire_on_commit=False
        )

    def migrate(self) -> None:
        """Bring the schema to the newest version (idempotent)."""
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                # Nodes starting together: one upgrades, the others wait for its commit and
                # then find nothing to do. (SQLite: BEGIN IMMEDIATE serialises them already.)
                connection.execute(_LOCK, {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")  # one branch per service, all off 0001

    @contextmanager
    def transaction(self, scope: SessionScope) -> Iterator[Session]:
        """One unit of work for ``scope``: committed whole on success, rolled back whole on
        any error. It sees and writes only that account's rows (``storage.owned``)."""
        with self._sessions(info={SCOPE_KEY: scope}) as session, session.begin():
            if isinstance(scope, Scope):
                self.hold(session, scope)
            yield session

    def hold(self, session: Session, scope: Scope) -> None:
        """Wait for, then hold until ``session``'s transaction ends, the lock every writer
        of ``scope`` takes first (PostgreSQL; SQLite has one writer at a time anyway)."""
        if self.dialect == "postgresql":
            session.connection().execute(_LOCK, {"key": _scope_lock(scope)})

    def try_hold(self, session: Session, scope: Scope) -> bool:
        """``hold`` without waiting: False when another transaction holds the lock now."""
        if self.dialect != "postgresql":
            return True
        taken = session.connection().execute(_TRY_LOCK, {"key": _scope_lock(scope)}).scalar()
        return bool(taken)

    @contextmanager
    def reading(self, scope: SessionScope) -> Iterator[Session]:
        """Reads for ``scope``, without taking the write lock."""
        with self._readers(info={SCOPE_KEY: scope}) as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def contended(error: BaseException) -> bool:
    """Whether a database error only means that concurrent transactions got in each other's
    way (a deadlock victim, a lock not had in time): trying again can succeed."""
    if not isinstance(error, DBAPIError):
        return False
    cause = error.orig
    if isinstance(cause, sqlite3.OperationalError):
        return cause.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return getattr(cause, "sqlstate", None) in _CONTENDED_STATES


def _scope_lock(scope: Scope) -> int:
    """The advisory lock of a scope's writers: 64 bits of a hash of it (two scopes sharing
    one only wait for each other)."""
    name = f"{scope.account_id}/{scope.region}".encode()
    return int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)


def _json(value: Any) -> str:
    """JSON columns hold standard JSON on every backend: PostgreSQL refuses NaN and infinity
    (which Python's json writes by default), so SQLite must not take them either."""
    encoded = json.dumps(value, allow_nan=False)
    if "\\u0000" in encoded and _ESCAPED_NUL.search(encoded):
        raise _unstorable()
    return encoded


# PostgreSQL can store no U+0000 in text or JSON (psycopg refuses it before sending), so no
# backend stores it: one answer on both, a validation error instead of a failed statement.
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _unstorable() -> ValidationError:
    return ValidationError(["text containing the NUL character (U+0000) cannot be stored"])


def _refuse_nul(_connection: Any, _cursor: Any, _statement: str, parameters: Any, *_: Any) -> None:
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise _unstorable()


def _create_engine(url: str, pool_size: int) -> Engine:
    engine = _backend_engine(url, pool_size)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


def _backend_engine(url: str, pool_size: int) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,  # a connection the server dropped (restart, failover) is replaced
            json_serializer=_json,
            # Timestamps come back in UTC whatever the server's own time zone.
            connect_args={"options": "-c timezone=UTC"},
        )
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json
    )

    @event.listens_for(engine, "connect")
    def _configure(connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy drive BEGIN itself so every transaction is explicit.
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable against process crashes in WAL
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Writers take the lock up front, so two writers never deadlock upgrading a read.
        if connection.get_execution_options().get("read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
