"""Users: named groups of a collection's faces (one person), and searching by them."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.models.faces.bands import Band, band_of, stored_band
from sensorium.services.rekognition import quality_filter, shapes
from sensorium.services.rekognition.collections import find
from sensorium.services.rekognition.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
)
from sensorium.services.rekognition.face_indexes import CollectionRef
from sensorium.services.rekognition.face_log import Change, record
from sensorium.services.rekognition.faces import FaceService, invalid
from sensorium.services.rekognition.tables import Collection, FaceRow, UserRow
from sensorium.storage.paging import Listing

Shape = dict[str, Any]
ASSOCIATE_THRESHOLD = 75.0  # AssociateFaces' default UserMatchThreshold
SEARCH_THRESHOLD = 80.0  # SearchUsers' default UserMatchThreshold
DEFAULT_MAX_USERS = 500
FACES_PER_USER = 100  # AWS's quota of faces associated to one user


class UserService:
    def __init__(self, faces: FaceService) -> None:
        self.faces = faces
        self.db = faces.db
        self.paginator = faces.paginator

    def create_user(self, ctx: RequestContext, collection_id: str, user_id: str) -> Shape:
        exists = ConflictException(f"The user {user_id} already exists in the collection.")
        try:
            with self.db.transaction(ctx.scope) as session:
                collection = find(session, collection_id)
                if _find_user(session, collection, user_id) is not None:
                    raise exists
                session.add(UserRow(collection_pk=collection.id, user_id=user_id))
        except IntegrityError:
            raise exists from None
        return {}

    def delete_user(self, ctx: RequestContext, collection_id: str, user_id: str) -> Shape:
        with self.db.transaction(ctx.scope) as session:
            collection = find(session, collection_id)
            user = _user(session, collection, user_id)
            changes = []
            for row in session.scalars(select(FaceRow).filter_by(user_pk=user.id)):
                row.user_pk = None
                changes.append(Change.user(row.id, None))
            session.delete(user)
            session.flush()
            version = self._record(session, collection, changes)
            ref = CollectionRef.of(collection)
        self.faces.index.committed(ref, version, changes)
        return {}

    def _record(
        self, session: Session, collection: Collection, changes: list[Change]
    ) -> int | None:
        return record(session, collection.id, changes, self.faces.log_versions)

    def list_users(
        self, ctx: RequestContext, collection_id: str, max_results: int | None, token: str | None
    ) -> Shape:
        with self.db.reading(ctx.scope) as session:
            collection = find(session, collection_id)
            query = select(UserRow).where(UserRow.collection_pk == collection.id)
            listing = Listing(f"ListUsers:{collection.id}", (UserRow.user_id, UserRow.id))
            page = self.paginator.page(
                session, query, listing, max_results or DEFAULT_MAX_USERS, token
            )
            statuses = _statuses(session, page.items)
        return page.output(
            "Users", lambda user: {"UserId": user.user_id, "UserStatus": statuses[user.id]}
        )

    def associate_faces(
        self,
        ctx: RequestContext,
        collection_id: str,
        user_id: str,
        face_ids: list[str],
        threshold: float | None,
    ) -> Shape:
        cutoff = ASSOCIATE_THRESHOLD if threshold is None else threshold
        associated: list[Shape] = []
        failed: list[Shape] = []
        with self.db.transaction(ctx.scope) as session:
            collection = self.faces.collection(session, collection_id)
            user = _user(session, collection, user_id)
            members = list(session.scalars(select(FaceRow).filter_by(user_pk=user.id)))
            known = [
                (np.frombuffer(row.embedding, np.float32), stored_band(row.quality_band))
                for row in members
            ]
            rows = _faces_by_id(session, collection, face_ids)
            owners = _owners(session, rows.values())
            new_pks: list[int] = []
            for face_id in dict.fromkeys(face_ids):
                row = rows.get(face_id)
                if row is None:
                    failed.append({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]})
                    continue
                if row.user_pk == user.id:
                    associated.append({"FaceId": face_id})
                    continue
                if row.user_pk is not None:
                    failed.append(
                        {
                            "FaceId": face_id,
                            "UserId": owners.get(row.user_pk, ""),
                            "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"],
                        }
                    )
                    continue
                embedding = np.frombuffer(row.embedding, np.float32)
                band = stored_band(row.quality_band)
                if known:
                    score = max(
                        self.faces.similarity(float(np.linalg.norm(embedding - other)), band, b)
                        for other, b in known
                    )
                    if score < cutoff:
                        failed.append(
                            {
                                "FaceId": face_id,
                                "UserId": user_id,
                                "Confidence": score,
                                "Reasons": ["LOW_MATCH_CONFIDENCE"],
                            }
                        )
                        continue
                if len(members) + len(new_pks) >= FACES_PER_USER:
                    raise ServiceQuotaExceededException(
                        f"A user can have at most {FACES_PER_USER} faces.",
                    )
                row.user_pk = user.id
                known.append((embedding, band))
                new_pks.append(row.id)
                associated.append({"FaceId": face_id})
            status = "ACTIVE" if known else "CREATED"
            session.flush()
            changes = [Change.user(pk, user.id) for pk in new_pks]
            version = self._record(session, collection, changes)
            ref = CollectionRef.of(collection)
        self.faces.index.committed(ref, version, changes)
        result: Shape = {"AssociatedFaces": associated, "UserStatus": status}
        if failed:
            result["UnsuccessfulFaceAssociations"] = failed
        return result

    def disassociate_faces(
        self, ctx: RequestContext, collection_id: str, user_id: str, face_ids: list[str]
    ) -> Shape:
        removed: list[Shape] = []
        failed: list[Shape] = []
        with self.db.transaction(ctx.scope) as session:
            collection = find(session, collection_id)
            user = _user(session, collection, user_id)
            rows = _faces_by_id(session, collection, face_ids)
            owners = _owners(session, rows.values())
            pks: list[int] = []
            for face_id in dict.fromkeys(face_ids):
                row = rows.get(face_id)
                if row is None:
                    failed.append({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]})
                elif row.user_pk != user.id:
                    entry: Shape = {
                        "FaceId": face_id,
                        "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"],
                    }
                    if row.user_pk is not None:
                        entry["UserId"] = owners.get(row.user_pk, "")
                    failed.append(entry)
                else:
                    row.user_pk = None
                    pks.append(row.id)
                    removed.append({"FaceId": face_id})
            session.flush()
            status = _status(session, user)
            changes = [Change.user(pk, None) for pk in pks]
            version = self._record(session, collection, changes)
            ref = CollectionRef.of(collection)
        self.faces.index.committed(ref, version, changes)
        result: Shape = {"DisassociatedFaces": removed, "UserStatus": status}
        if failed:
            result["UnsuccessfulFaceDisassociations"] = failed
        return result

    def search_users(
        self,
        ctx: RequestContext,
        collection_id: str,
        user_id: str | None,
        face_id: str | None,
        threshold: float | None,
        max_users: int | None,
    ) -> Shape:
        if (user_id is None) == (face_id is None):
            raise invalid("Specify exactly one of UserId and FaceId.")
        with self.db.reading(ctx.scope) as session:
            collection = self.faces.collection(session, collection_id)
            result: Shape = {"FaceModelVersion": collection.face_model_version}
            if face_id is not None:
                row = _faces_by_id(session, collection, [face_id]).get(face_id)
                if row is None:
                    raise ResourceNotFoundException(f"The face {face_id} does not exist.")
                queries = [
                    (np.frombuffer(row.embedding, np.float32), stored_band(row.quality_band))
                ]
                result["SearchedFace"] = {"FaceId": face_id}
                exclude_user = None
            else:
                assert user_id is not None
                user = _user(session, collection, user_id)
                queries = [
                    (np.frombuffer(blob, np.float32), stored_band(band))
                    for blob, band in session.execute(
                        select(FaceRow.embedding, FaceRow.quality_band).filter_by(user_pk=user.id)
                    ).tuples()
                ]
                result["SearchedUser"] = {"UserId": user_id}
                exclude_user = user.id
            result["UserMatches"] = self._user_matches(
                session, collection, queries, threshold, max_users, exclude_user
            )
        return result

    def search_users_by_image(
        self,
        ctx: RequestContext,
        collection_id: str,
        image: Shape,
        threshold: float | None,
        max_users: int | None,
        quality: str | None,
    ) -> Shape:
        quality = quality or "NONE"
        with self.db.reading(ctx.scope) as session:
            collection = self.faces.collection(session, collection_id)
        loaded = self.faces.image(ctx, image).image
        faces = self.faces.pipeline.analyze(loaded.rgb)
        if not faces:
            raise invalid("There are no faces in the image. Should be at least 1.")
        w, h = loaded.width, loaded.height
        largest, others = faces[0], faces[1:]
        why = quality_filter.reasons(largest, quality)
        if why:
            raise invalid(
                f"The largest face in the image fails the {quality} quality filter: "
                + ", ".join(why)
            )
        with self.db.reading(ctx.scope) as session:
            matches = self._user_matches(
                session,
                collection,
                [(largest.embedding, band_of(largest))],
                threshold,
                max_users,
                None,
            )
        return {
            "UserMatches": matches,
            "FaceModelVersion": collection.face_model_version,
            "SearchedFace": {"FaceDetail": shapes.face_detail(largest, w, h)},
            "UnsearchedFaces": [
                {"FaceDetails": shapes.face_detail(face, w, h), "Reasons": ["FACE_NOT_LARGEST"]}
                for face in others
            ],
        }

    def _user_matches(
        self,
        session: Session,
        collection: Collection,
        queries: list[tuple[np.ndarray[Any, Any], Band]],
        threshold: float | None,
        max_users: int | None,
        exclude_user: int | None,
    ) -> list[Shape]:
        """A user's similarity is that of its closest associated face to any query face."""
        cutoff = SEARCH_THRESHOLD if threshold is None else threshold
        index = self.faces.index.collection(CollectionRef.of(collection))
        best: dict[int, float] = {}
        for query, band in queries:
            hits = [
                hit
                for hit in index.nearest(query, None, self.faces.max_distance(cutoff))
                if hit[1] is not None and hit[1] != exclude_user
            ]
            bands = _bands(session, [pk for pk, _, _ in hits])
            for pk, user_pk, distance in hits:
                assert user_pk is not None
                score = self.faces.similarity(distance, band, bands.get(pk, Band.GOOD))
                if score >= cutoff and score > best.get(user_pk, -1.0):
                    best[user_pk] = score
        ranked = sorted(best.items(), key=lambda item: -item[1])[: max_users or DEFAULT_MAX_USERS]
        users = {
            user.id: user
            for user in session.scalars(
                select(UserRow).where(UserRow.id.in_([pk for pk, _ in ranked]))
            )
        }
        statuses = _statuses(session, list(users.values()))
        return [
            {
                "Similarity": score,
                "User": {"UserId": users[pk].user_id, "UserStatus": statuses[pk]},
            }
            for pk, score in ranked
            if pk in users
        ]


def count_users(session: Session, collection_pk: int) -> int:
    return int(
        session.scalar(select(func.count()).where(UserRow.collection_pk == collection_pk)) or 0
    )


def _find_user(session: Session, collection: Collection, user_id: str) -> UserRow | None:
    return session.scalar(select(UserRow).filter_by(collection_pk=collection.id, user_id=user_id))


def _user(session: Session, collection: Collection, user_id: str) -> UserRow:
    user = _find_user(session, collection, user_id)
    if user is None:
        raise ResourceNotFoundException(
            f"The user {user_id} does not exist in collection {collection.collection_id}.",
        )
    return user


def _statuses(session: Session, users: list[UserRow]) -> dict[int, str]:
    """Each user's status in one query: ACTIVE with associated faces, else CREATED."""
    pks = [user.id for user in users]
    with_faces = set(
        session.scalars(select(FaceRow.user_pk).where(FaceRow.user_pk.in_(pks)).distinct())
    )
    return {pk: "ACTIVE" if pk in with_faces else "CREATED" for pk in pks}


def _status(session: Session, user: UserRow) -> str:
    has_faces = session.scalar(select(FaceRow.id).filter_by(user_pk=user.id).limit(1))
    return "ACTIVE" if has_faces is not None else "CREATED"


def _faces_by_id(
    session: Session, collection: Collection, face_ids: list[str]
) -> dict[str, FaceRow]:
    return {
        row.face_id: row
        for row in session.scalars(
            select(FaceRow).where(
                FaceRow.collection_pk == collection.id, FaceRow.face_id.in_(face_ids)
            )
        )
    }


def _owners(session: Session, rows: Any) -> dict[int, str]:
    pks = {row.user_pk for row in rows if row.user_pk is not None}
    if not pks:
        return {}
    return dict(
        session.execute(select(UserRow.id, UserRow.user_id).where(UserRow.id.in_(pks)))
        .tuples()
        .all()
    )


def _bands(session: Session, pks: list[int]) -> dict[int, Band]:
    """The quality bands of the faces ``pks`` (a face deleted since it was found: none)."""
    if not pks:
        return {}
    rows = session.execute(
        select(FaceRow.id, FaceRow.quality_band).where(FaceRow.id.in_(pks))
    ).tuples()
    return {pk: stored_band(band) for pk, band in rows}
