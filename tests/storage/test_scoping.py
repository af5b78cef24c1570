"""Owned rows: a session sees and writes only its scope's, and cannot forget to have one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sensorium.context import Scope
from sensorium.services.rekognition.tables import Collection
from sensorium.storage.database import Database, sqlite_url
from sensorium.storage.owned import UNSCOPED, ScopeViolation

ALICE = Scope("111111111111", "us-east-1")
ALICE_ELSEWHERE = Scope("111111111111", "eu-west-1")
BOB = Scope("222222222222", "us-east-1")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(sqlite_url(tmp_path))
    db.migrate()
    for scope, name in ((ALICE, "a"), (ALICE_ELSEWHERE, "a"), (BOB, "b")):
        with db.transaction(scope) as session:
            session.add(
                Collection(collection_id=name, arn=f"arn:{scope}:{name}", face_model_version="v")
            )
    yield db
    db.dispose()


def names(db: Database, scope: Scope) -> list[str]:
    with db.reading(scope) as session:
        return list(session.scalars(select(Collection.collection_id)))


def test_rows_are_stamped_and_seen_only_in_their_scope(database: Database) -> None:
    assert names(database, ALICE) == ["a"]
    assert names(database, BOB) == ["b"]
    with database.reading(ALICE) as session:
        row = session.scalars(select(Collection)).one()
        assert row.scope == ALICE
        assert session.scalar(select(func.count()).select_from(Collection)) == 1
    with database.reading(UNSCOPED) as session:
        assert session.scalar(select(func.count(Collection.id))) == 3


def test_get_update_and_delete_cannot_reach_another_account(database: Database) -> None:
    with database.reading(UNSCOPED) as session:
        bobs = session.scalars(select(Collection.id).filter_by(collection_id="b")).one()
    with database.transaction(ALICE) as session:
        assert session.get(Collection, bobs) is None
        session.execute(update(Collection).values(face_model_version="changed"))
        session.execute(delete(Collection))
    assert names(database, ALICE) == []
    assert names(database, ALICE_ELSEWHERE) == ["a"]
    with database.reading(BOB) as session:
        assert session.scalars(select(Collection.face_model_version)).one() == "v"


def test_a_session_without_a_scope_cannot_touch_owned_rows(database: Database) -> None:
    with Session(database.engine) as session, pytest.raises(ScopeViolation):
        session.scalars(select(Collection)).all()


def test_a_row_cannot_be_written_into_another_scope(database: Database) -> None:
    with pytest.raises(ScopeViolation), database.transaction(ALICE) as session:
        session.add(
            Collection(
                account_id=BOB.account_id,
                region=BOB.region,
                collection_id="sneaky",
                arn="arn:sneaky",
                face_model_version="v",
            )
        )
    assert names(database, BOB) == ["b"]
