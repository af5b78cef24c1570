"""Keyset pages and their tokens: complete, stable, and refused when not ours to use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from sensorium.context import Scope
from sensorium.services.rekognition.errors import InvalidPaginationTokenException
from sensorium.services.rekognition.tables import Collection
from sensorium.storage.database import Database
from sensorium.storage.paging import Listing, Page, Paginator, TokenSigner
from tests.conftest import migrated

ALICE = Scope("111111111111", "us-east-1")
BOB = Scope("222222222222", "us-east-1")
NAMES = [f"collection-{n:02d}-{'x' * 40}" for n in range(7)]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    db = migrated(tmp_path)
    for scope in (ALICE, BOB):
        with db.transaction(scope) as session:
            for name in reversed(NAMES):
                session.add(
                    Collection(collection_id=name, arn=f"{scope}/{name}", face_model_version="v")
                )
    yield db
    db.dispose()


def paginator(max_token_length: int = 8192, key: bytes = b"k" * 32) -> Paginator:
    return Paginator(TokenSigner(key), InvalidPaginationTokenException, max_token_length)


def page(
    db: Database, pages: Paginator, token: str | None, scope: Scope = ALICE, listing: str = "List"
) -> Page[Collection]:
    order = (Collection.collection_id, Collection.id)
    with db.reading(scope) as session:
        return pages.page(session, select(Collection), Listing(listing, order), 3, token)


def walk(db: Database, pages: Paginator) -> list[str]:
    seen: list[str] = []
    token: str | None = None
    while True:
        found = page(db, pages, token)
        seen += [row.collection_id for row in found.items]
        if found.next_token is None:
            return seen
        token = found.next_token


@pytest.mark.parametrize("max_token_length", [8192, 80])
def test_pages_cover_everything_once_in_order(db: Database, max_token_length: int) -> None:
    assert walk(db, paginator(max_token_length)) == NAMES


def test_text_is_ordered_byte_by_byte_on_every_backend(db: Database) -> None:
    mixed = ["Zeta", "_under", "alpha", "-dash", "Alpha", "beta", "0zero", "a.b", "a-b"]
    carol = Scope("333333333333", "us-east-1")
    with db.transaction(carol) as session:
        for name in mixed:
            session.add(Collection(collection_id=name, arn=f"arn:{name}", face_model_version="v"))
    pages = paginator()
    seen: list[str] = []
    token: str | None = None
    while True:
        found = page(db, pages, token, scope=carol)
        seen += [row.collection_id for row in found.items]
        if (token := found.next_token) is None:
            break
    assert seen == sorted(mixed)  # what SQLite and a C collation give, whatever the database's


def test_rows_added_between_pages_do_not_shift_the_next_page(db: Database) -> None:
    pages = paginator()
    first = page(db, pages, None)
    with db.transaction(ALICE) as session:
        session.add(Collection(collection_id="a-first", arn="arn:new", face_model_version="v"))
    second = page(db, pages, first.next_token)
    assert [row.collection_id for row in second.items] == NAMES[3:6]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered
        lambda token: token.replace(".", ""),  # no signature
        lambda token: "not-a-token-we-issued",
    ],
)
def test_altered_or_forged_tokens_are_refused(db: Database, spoil: object) -> None:
    pages = paginator()
    token = page(db, pages, None).next_token
    assert token is not None and callable(spoil)
    with pytest.raises(InvalidPaginationTokenException):
        page(db, pages, spoil(token))


def test_a_token_is_bound_to_its_caller_listing_and_key(db: Database) -> None:
    pages = paginator()
    token = page(db, pages, None).next_token
    with pytest.raises(InvalidPaginationTokenException):
        page(db, pages, token, scope=BOB)
    with pytest.raises(InvalidPaginationTokenException):
        page(db, pages, token, listing="AnotherList")
    with pytest.raises(InvalidPaginationTokenException):
        page(db, paginator(key=b"another server's key....32 bytes"), token)


def test_a_short_token_whose_row_was_deleted_says_so(db: Database) -> None:
    pages = paginator(max_token_length=80)
    first = page(db, pages, None)
    assert first.next_token is not None and len(first.next_token) <= 80
    with db.transaction(ALICE) as session:
        session.execute(delete(Collection).where(Collection.collection_id == NAMES[2]))
    with pytest.raises(InvalidPaginationTokenException, match="deleted"):
        page(db, pages, first.next_token)
