"""The log of face changes: how every node's search index follows writes made on any node.

Each transaction that changes a collection's faces (or which user a face belongs to) raises
the collection's ``face_version`` by one, an UPDATE that holds the collection row's lock
until it commits, and writes one ``face_changes`` row per face at that version. Versions
therefore commit in order on either store (SQLite runs one writer at a time; PostgreSQL
queues writers on the row lock, even in READ COMMITTED), so a node whose index is at
version v that reads version w on the collection row finds every change v+1..w in the log.
The log keeps the last ``keep`` versions; a node further behind reconciles with ``faces``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from sensorium.services.rekognition.tables import Collection, FaceChangeRow, FaceRow
from sensorium.storage.database import Database
from sensorium.storage.owned import UNSCOPED

Vector = npt.NDArray[np.float32]
ADD, REMOVE, USER = "add", "remove", "user"
PRUNE_EVERY = 100  # versions between trims of the log
FETCH_ROWS = 20_000  # faces per query when loading a collection
IN_LIST = 1000  # face pks per IN (...) when fetching some embeddings


@dataclass(frozen=True)
class Change:
    """What happened to one face: ``add`` (with its embedding), ``remove``, or ``user``
    (now belongs to ``user_pk``, or to no user)."""

    face_pk: int
    operation: str
    user_pk: int | None = None
    embedding: Vector | None = None

    @staticmethod
    def add(face_pk: int, embedding: Vector) -> Change:
        return Change(face_pk, ADD, None, np.asarray(embedding, np.float32))

    @staticmethod
    def remove(face_pk: int) -> Change:
        return Change(face_pk, REMOVE)

    @staticmethod
    def user(face_pk: int, user_pk: int | None) -> Change:
        return Change(face_pk, USER, user_pk)


def record(
    session: Session, collection_pk: int, changes: Sequence[Change], keep: int
) -> int | None:
    """Log ``changes`` in the caller's transaction: the collection's new version (None, and
    no new version, when there are none)."""
    if not changes:
        return None
    version = int(
        session.execute(
            update(Collection)
            .where(Collection.id == collection_pk)
            # updated_at says when the collection itself changed, not its faces.
            .values(face_version=Collection.face_version + 1, updated_at=Collection.updated_at)
            .returning(Collection.face_version)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    )
    session.execute(
        insert(FaceChangeRow),
        [
            {
                "collection_pk": collection_pk,
                "version": version,
                "face_pk": change.face_pk,
                "operation": change.operation,
                "user_pk": change.user_pk,
                "embedding": None if change.embedding is None else change.embedding.tobytes(),
            }
            for change in changes
        ],
    )
    if version % PRUNE_EVERY == 0:
        session.execute(
            delete(FaceChangeRow).where(
                FaceChangeRow.collection_pk == collection_pk,
                FaceChangeRow.version <= version - keep,
            )
        )
    return version


class FaceSource:
    """What the search index reads from the store of record. Callers have checked the
    collection's owner; faces and changes hang off it, so these reads are unscoped."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def version(self, collection_pk: int) -> int | None:
        with self.db.reading(UNSCOPED) as session:
            found = session.scalar(select(Collection.face_version).filter_by(id=collection_pk))
            return None if found is None else int(found)

    def existing(self, collection_pks: Sequence[int]) -> set[int]:
        with self.db.reading(UNSCOPED) as session:
            return set(
                session.scalars(select(Collection.id).where(Collection.id.in_(collection_pks)))
            )

    def changes(self, collection_pk: int, after: int, upto: int) -> list[tuple[int, Change]]:
        """(version, change) for versions ``after`` < v <= ``upto``, in version order."""
        with self.db.reading(UNSCOPED) as session:
            rows = session.execute(
                select(
                    FaceChangeRow.version,
                    FaceChangeRow.face_pk,
                    FaceChangeRow.operation,
                    FaceChangeRow.user_pk,
                    FaceChangeRow.embedding,
                )
                .where(
                    FaceChangeRow.collection_pk == collection_pk,
                    FaceChangeRow.version > after,
                    FaceChangeRow.version <= upto,
                )
                .order_by(FaceChangeRow.version, FaceChangeRow.face_pk)
            ).tuples()
            return [
                (
                    int(version),
                    Change(
                        face_pk,
                        operation,
                        user_pk,
                        None if blob is None else np.frombuffer(blob, np.float32),
                    ),
                )
                for version, face_pk, operation, user_pk, blob in rows
            ]

    def count(self, collection_pk: int) -> int:
        with self.db.reading(UNSCOPED) as session:
            return int(
                session.scalar(select(func.count()).where(FaceRow.collection_pk == collection_pk))
                or 0
            )

    def members(self, collection_pk: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every face pk of the collection (ascending) and its user pk (-1: none)."""
        with self.db.reading(UNSCOPED) as session:
            rows = session.execute(
                select(FaceRow.id, FaceRow.user_pk)
                .where(FaceRow.collection_pk == collection_pk)
                .order_by(FaceRow.id)
            ).tuples()
            pairs = np.array([(pk, -1 if user is None else user) for pk, user in rows], np.int64)
        if not len(pairs):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return pairs[:, 0].copy(), pairs[:, 1].copy()

    def embeddings(
        self, collection_pk: int, face_pks: npt.NDArray[np.int64]
    ) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]]:
        """(pks, vectors) of those of ``face_pks`` still in the collection, in batches."""
        for start in range(0, len(face_pks), IN_LIST):
            chunk = [int(pk) for pk in face_pks[start : start + IN_LIST]]
            with self.db.reading(UNSCOPED) as session:
                rows = list(
                    session.execute(
                        select(FaceRow.id, FaceRow.embedding).where(
                            FaceRow.collection_pk == collection_pk, FaceRow.id.in_(chunk)
                        )
                    ).tuples()
                )
            if rows:
                yield _batch(rows)

    def faces(
        self, collection_pk: int
    ) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]]:
        """Every face as (pks, user pks or -1, vectors), ascending, in batches."""
        after = 0
        while True:
            with self.db.reading(UNSCOPED) as session:
                rows = list(
                    session.execute(
                        select(FaceRow.id, FaceRow.user_pk, FaceRow.embedding)
                        .where(FaceRow.collection_pk == collection_pk, FaceRow.id > after)
                        .order_by(FaceRow.id)
                        .limit(FETCH_ROWS)
                    ).tuples()
                )
            if not rows:
                return
            pks, vectors = _batch([(pk, blob) for pk, _, blob in rows])
            users = np.array([-1 if user is None else user for _, user, _ in rows], np.int64)
            yield pks, users, vectors
            after = int(pks[-1])


def _batch(
    rows: Sequence[tuple[int, bytes]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    pks = np.array([pk for pk, _ in rows], np.int64)
    vectors = np.frombuffer(b"".join(blob for _, blob in rows), np.float32)
    return pks, vectors.reshape(len(rows), -1).copy()
