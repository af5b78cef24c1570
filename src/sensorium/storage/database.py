"""Engine, sessions and migrations.

SQLite runs in WAL mode with foreign keys on; every write is one transaction
(``with db.transaction(ctx.scope) as session``), so a server killed mid-request leaves
either the whole change or none of it. Every session is opened for a scope: see
``storage.owned``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from sensorium.storage.owned import SCOPE_KEY, SessionScope

_MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'sensorium.db'}"


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
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
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")  # one branch per service, all off 0001

    @contextmanager
    def transaction(self, scope: SessionScope) -> Iterator[Session]:
        """One unit of work for ``scope``: committed whole on success, rolled back whole on
        any error. It sees and writes only that account's rows (``storage.owned``)."""
        with self._sessions(info={SCOPE_KEY: scope}) as session, session.begin():
            yield session

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


def _create_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

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
