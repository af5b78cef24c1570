"""Owned rows: a session sees and writes only its scope's, and cannot forget to have one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sensorium.context import Scope
from sensorium.services.rekognition.tables import Collection
from sensorium.storage.database import Database
from sensorium.storage.owned import UNSCOPED, ScopeViolation
from tests.conftest import migrated

ALICE = Scope("111111111111", "us-east-1")
ALICE_ELSEWHERE = Scope("111111111111", "eu-west-1")
BOB = Scope("222222222222", "us-east-1")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    db = migrated(tmp_path)
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


def test_rows_are_stamped_and_seen_only_in_their_scope(db: Database) -> None:
    assert names(db, ALICE) == ["a"]
    assert names(db, BOB) == ["b"]
    with db.reading(ALICE) as session:
        row = session.scalars(select(Collection)).one()
        assert row.scope == ALICE
        assert session.scalar(select(func.count()).select_from(Collection)) == 1
    with db.reading(UNSCOPED) as session:
        assert session.scalar(select(func.count(Collection.id))) == 3


def test_get_update_and_delete_cannot_reach_another_account(db: Database) -> None:
    with db.reading(UNSCOPED) as session:
        bobs = session.scalars(select(Collection.id).filter_by(collection_id="b")).one()
    with db.transaction(ALICE) as session:
        assert session.get(Collection, bobs) is None
        session.execute(update(Collection).values(face_model_version="changed"))
        session.execute(delete(Collection))
    assert names(db, ALICE) == []
    assert names(db, ALICE_ELSEWHERE) == ["a"]
    with db.reading(BOB) as session:
        assert session.scalars(select(Collection.face_model_version)).one() == "v"


def test_a_session_without_a_scope_cannot_touch_owned_rows(db: Database) -> None:
    with Session(db.engine) as session, pytest.raises(ScopeViolation):
        session.scalars(select(Collection)).all()


def test_a_row_cannot_be_written_into_another_scope(db: Database) -> None:
    with pytest.raises(ScopeViolation), db.transaction(ALICE) as session:
        session.add(
            Collection(
                account_id=BOB.account_id,
                region=BOB.region,
                collection_id="sneaky",
                arn="arn:sneaky",
                face_model_version="v",
            )
        )
    assert names(db, BOB) == ["b"]
