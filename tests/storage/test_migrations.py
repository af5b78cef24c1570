"""The schema on an empty store of record: made by migrating, untouched by migrating again,
and made once when several nodes start on it at the same moment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from sensorium.storage.database import Database
from tests.conftest import ROOT, store_url

NODES = 6


def schema(engine: Engine) -> tuple[set[str], set[str]]:
    """The tables and the Alembic revisions the database is at."""
    with engine.connect() as connection:
        versions = {row[0] for row in connection.execute(text("SELECT * FROM alembic_version"))}
    return set(inspect(engine).get_table_names()), versions


def test_migrating_again_changes_nothing(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    db.migrate()
    first = schema(db.engine)
    assert {"jobs", "server_secrets", "collections"} <= first[0]
    db.migrate()
    assert schema(db.engine) == first
    db.dispose()


def test_nodes_starting_at_once_migrate_and_share_one_key(tmp_path: Path) -> None:
    url, go = store_url(tmp_path), tmp_path / "go"
    nodes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.storage.node", url, str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(NODES)
    ]
    go.touch()
    outcomes = [node.communicate(timeout=120) for node in nodes]
    assert [node.returncode for node in nodes] == [0] * NODES, [err for _, err in outcomes]
    keys = {out.strip() for out, _ in outcomes}
    assert len(keys) == 1

    (tmp_path / "reference").mkdir()
    reference = Database(store_url(tmp_path / "reference"))
    reference.migrate()
    db = Database(url)
    assert schema(db.engine) == schema(reference.engine)
    db.dispose()
    reference.dispose()
