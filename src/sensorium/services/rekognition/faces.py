"""Face operations: detect, compare, index, list, delete and search faces in collections."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets
from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.faces import FaceAnalysis, LoadedImage, load_calibration
from sensorium.models.faces.bands import Band, band_of, stored_band
from sensorium.models.registry import ModelRegistry
from sensorium.services.rekognition import quality_filter, shapes
from sensorium.services.rekognition.collections import find
from sensorium.services.rekognition.engine import FACE_MODEL, FaceEngine
from sensorium.services.rekognition.errors import (
    InvalidParameterException,
    ResourceNotFoundException,
)
from sensorium.services.rekognition.face_indexes import CollectionRef, FaceIndexes
from sensorium.services.rekognition.face_log import Change, record
from sensorium.services.rekognition.images import read_image
from sensorium.services.rekognition.tables import Collection, FaceRow, UserRow
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow
from sensorium.storage.paging import Listing, Paginator

Shape = dict[str, Any]
EMBEDDING_DIM = 128
DEFAULT_THRESHOLD = 80.0
MAX_TARGET_FACES = 100  # CompareFaces compares the source with up to 100 target faces
DEFAULT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class RequestImage:
    image: LoadedImage
    sha256: str


def invalid(message: str) -> ServiceError:
    return InvalidParameterException(message)


class FaceService:
    def __init__(
        self,
        db: Database,
        blobs: Buckets,
        models: ModelRegistry,
        index: FaceIndexes,
        paginator: Paginator,
        log_versions: int,
    ) -> None:
        self.db = db
        self.paginator = paginator
        self.blobs = blobs
        self.models = models
        self.index = index
        self.log_versions = log_versions  # how many versions of face changes the log keeps
        self.calibration = load_calibration()

    # Shared helpers

    @property
    def pipeline(self) -> FaceEngine:
        return self.models.get(FACE_MODEL, FaceEngine)

    def image(self, ctx: RequestContext, image: Shape) -> RequestImage:
        loaded, data = read_image(self.blobs, ctx.scope, image)
        return RequestImage(loaded, hashlib.sha256(data).hexdigest())

    def similarity(self, distance: float, a: Band = Band.GOOD, b: Band = Band.GOOD) -> float:
        """Similarity of two faces ``distance`` apart, in the quality bands they are in."""
        return self.calibration.similarity(distance, a, b)

    def max_distance(self, threshold: float) -> float | None:
        if threshold <= 0:
            return None
        if threshold >= 100:
            return 0.0
        return self.calibration.distance_for(threshold)

    def collection(self, session: Session, collection_id: str) -> Collection:
        """The caller's collection (the session's scope), checked against our embedder."""
        collection = find(session, collection_id)
        if collection.face_model_version != self.pipeline.model_version:
            raise invalid(
                f"The collection {collection_id} holds faces of model "
                f"{collection.face_model_version}; this server embeds with "
                f"{self.pipeline.model_version}. A collection never mixes versions."
            )
        return collection

    # DetectFaces / CompareFaces

    def detect_faces(self, ctx: RequestContext, image: Shape) -> Shape:
        loaded = self.image(ctx, image).image
        faces = self.pipeline.analyze(loaded.rgb, embed=False)
        return {"FaceDetails": [shapes.face_detail(f, loaded.width, loaded.height) for f in faces]}

    def compare_faces(
        self,
        ctx: RequestContext,
        source: Shape,
        target: Shape,
        threshold: float | None,
        quality: str | None,
    ) -> Shape:
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        quality = quality or "NONE"
        source_image = self.image(ctx, source).image
        source_face = self.pipeline.largest_face(source_image.rgb)
        if source_face is None:
            raise invalid("There are no faces in the source image.")
        target_image = self.image(ctx, target).image
        faces = self.pipeline.analyze(target_image.rgb, max_faces=MAX_TARGET_FACES)
        w, h = target_image.width, target_image.height
        matches: list[Shape] = []
        unmatched: list[Shape] = []
        for face in faces:
            if quality_filter.reasons(face, quality):
                continue
            score = self.similarity(
                _distance(source_face, face), band_of(source_face), band_of(face)
            )
            detail = shapes.face_detail(face, w, h)
            if score >= threshold:
                matches.append({"Similarity": score, "Face": detail})
            else:
                unmatched.append(detail)
        matches.sort(key=lambda match: -match["Similarity"])
        return {
            "SourceImageFace": {
                "BoundingBox": shapes.bounding_box(
                    source_face.box, source_image.width, source_image.height
                ),
                "Confidence": source_face.confidence,
            },
            "FaceMatches": matches,
            "UnmatchedFaces": unmatched,
        }

    # IndexFaces

    def index_faces(
        self,
        ctx: RequestContext,
        collection_id: str,
        image: Shape,
        external_image_id: str | None,
        max_faces: int | None,
        quality: str | None,
    ) -> Shape:
        quality = quality or "AUTO"
        with self.db.reading(ctx.scope) as session:
            collection_pk = self.collection(session, collection_id).id
        request = self.image(ctx, image)
        loaded = request.image
        w, h = loaded.width, loaded.height
        faces = self.pipeline.analyze(loaded.rgb)
        version = self.pipeline.model_version
        accepted: list[FaceAnalysis] = []
        unindexed: list[Shape] = []
        for face in faces:
            why = quality_filter.reasons(face, quality)
            if not why and max_faces is not None and len(accepted) >= max_faces:
                why = ["EXCEEDS_MAX_FACES"]
            if why:
                unindexed.append({"Reasons": why, "FaceDetail": shapes.face_detail(face, w, h)})
            else:
                accepted.append(face)

        with self.db.transaction(ctx.scope) as session:
            collection = self.collection(session, collection_id)  # still there
            existing = list(
                session.scalars(
                    select(FaceRow)
                    .filter_by(
                        collection_pk=collection_pk,
                        image_sha256=request.sha256,
                        external_image_id=external_image_id,
                    )
                    .order_by(FaceRow.id)
                )
            )
            if existing:
                # The same image with the same ExternalImageId: no duplicates, same records.
                records = [
                    {"Face": _face(row), "FaceDetail": shapes.face_detail(face, w, h)}
                    for row, face in zip(existing, accepted, strict=False)
                ]
                return {
                    "FaceRecords": records,
                    "FaceModelVersion": version,
                    "UnindexedFaces": unindexed,
                }
            image_id = str(uuid.uuid4())
            now = utcnow()
            rows = []
            for face in accepted:
                box = shapes.bounding_box(face.box, w, h)
                row = FaceRow(
                    collection_pk=collection_pk,
                    face_id=str(uuid.uuid4()),
                    image_id=image_id,
                    image_sha256=request.sha256,
                    external_image_id=external_image_id,
                    left=box["Left"],
                    top=box["Top"],
                    width=box["Width"],
                    height=box["Height"],
                    confidence=face.confidence,
                    embedding=face.embedding.astype(np.float32).tobytes(),
                    model_version=version,
                    quality_band=band_of(face).value,
                    created_at=now,
                )
                session.add(row)
                rows.append(row)
            session.flush()
            changes = [
                Change.add(row.id, face.embedding) for row, face in zip(rows, accepted, strict=True)
            ]
            face_version = record(session, collection_pk, changes, self.log_versions)
            ref = CollectionRef.of(collection)
            records = [
                {"Face": _face(row), "FaceDetail": shapes.face_detail(face, w, h)}
                for row, face in zip(rows, accepted, strict=True)
            ]
        # Committed: searchable here at once (other nodes catch up on their next search).
        self.index.committed(ref, face_version, changes)
        return {"FaceRecords": records, "FaceModelVersion": version, "UnindexedFaces": unindexed}

    # ListFaces / DeleteFaces

    def list_faces(
        self,
        ctx: RequestContext,
        collection_id: str,
        max_results: int | None,
        token: str | None,
        user_id: str | None,
        face_ids: list[str] | None,
    ) -> Shape:
        with self.db.reading(ctx.scope) as session:
            collection = find(session, collection_id)
            query = (
                select(FaceRow, UserRow.user_id)
                .outerjoin(UserRow, FaceRow.user_pk == UserRow.id)
                .where(FaceRow.collection_pk == collection.id)
            )
            if user_id is not None:
                query = query.where(UserRow.user_id == user_id)
            if face_ids:
                query = query.where(FaceRow.face_id.in_(face_ids))
            listing = Listing(
                f"ListFaces:{collection.id}", (FaceRow.id,), [user_id, sorted(face_ids or [])]
            )
            page = self.paginator.page(
                session, query, listing, max_results or DEFAULT_PAGE_SIZE, token
            )
            version = collection.face_model_version
        result: Shape = {
            "Faces": [_face(row, owner) for row, owner in page.items],
            "FaceModelVersion": version,
        }
        if page.next_token:
            result["NextToken"] = page.next_token
        return result

    def delete_faces(self, ctx: RequestContext, collection_id: str, face_ids: list[str]) -> Shape:
        deleted: list[str] = []
        failed: list[Shape] = []
        with self.db.transaction(ctx.scope) as session:
            collection = find(session, collection_id)
            found = {
                row.face_id: (row, owner)
                for row, owner in session.execute(
                    select(FaceRow, UserRow.user_id)
                    .outerjoin(UserRow, FaceRow.user_pk == UserRow.id)
                    .where(
                        FaceRow.collection_pk == collection.id,
                        FaceRow.face_id.in_(face_ids),
                    )
                ).tuples()
            }
            changes: list[Change] = []
            for face_id in dict.fromkeys(face_ids):
                if face_id not in found:
                    failed.append({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]})
                    continue
                row, owner = found[face_id]
                if owner is not None:
                    failed.append(
                        {
                            "FaceId": face_id,
                            "UserId": owner,
                            "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"],
                        }
                    )
                    continue
                session.delete(row)
                changes.append(Change.remove(row.id))
                deleted.append(face_id)
            session.flush()
            version = record(session, collection.id, changes, self.log_versions)
            ref = CollectionRef.of(collection)
        self.index.committed(ref, version, changes)
        result: Shape = {"DeletedFaces": deleted}
        if failed:
            result["UnsuccessfulFaceDeletions"] = failed
        return result

    # SearchFaces / SearchFacesByImage

    def search_faces(
        self,
        ctx: RequestContext,
        collection_id: str,
        face_id: str,
        max_faces: int | None,
        threshold: float | None,
    ) -> Shape:
        with self.db.reading(ctx.scope) as session:
            collection = self.collection(session, collection_id)
            row = session.scalar(
                select(FaceRow).filter_by(collection_pk=collection.id, face_id=face_id)
            )
            if row is None:
                raise ResourceNotFoundException(
                    f"The face {face_id} does not exist in collection {collection_id}",
                )
            query = np.frombuffer(row.embedding, np.float32)
            band = stored_band(row.quality_band)
            matches = self._matches(
                session, collection, query, band, max_faces, threshold, exclude=row.id
            )
        return {
            "SearchedFaceId": face_id,
            "FaceMatches": matches,
            "FaceModelVersion": collection.face_model_version,
        }

    def search_faces_by_image(
        self,
        ctx: RequestContext,
        collection_id: str,
        image: Shape,
        max_faces: int | None,
        threshold: float | None,
        quality: str | None,
    ) -> Shape:
        quality = quality or "NONE"
        with self.db.reading(ctx.scope) as session:
            collection = self.collection(session, collection_id)
        loaded = self.image(ctx, image).image
        face = self.pipeline.largest_face(loaded.rgb)
        if face is None:
            raise invalid("There are no faces in the image. Should be at least 1.")
        why = quality_filter.reasons(face, quality)
        if why:
            raise invalid(
                f"The largest face in the image fails the {quality} quality filter: "
                + ", ".join(why)
            )
        with self.db.reading(ctx.scope) as session:
            matches = self._matches(
                session, collection, face.embedding, band_of(face), max_faces, threshold
            )
        return {
            "SearchedFaceBoundingBox": shapes.bounding_box(face.box, loaded.width, loaded.height),
            "SearchedFaceConfidence": face.confidence,
            "FaceMatches": matches,
            "FaceModelVersion": collection.face_model_version,
        }

    def _matches(
        self,
        session: Session,
        collection: Collection,
        query: np.ndarray[Any, Any],
        band: Band,
        max_faces: int | None,
        threshold: float | None,
        exclude: int | None = None,
    ) -> list[Shape]:
        limit = max_faces or 4096
        cutoff = DEFAULT_THRESHOLD if threshold is None else threshold
        nearest = self.index.collection(CollectionRef.of(collection)).nearest(
            query, limit + (1 if exclude is not None else 0), self.max_distance(cutoff)
        )
        nearest = [hit for hit in nearest if hit[0] != exclude][:limit]
        if not nearest:
            return []
        pks = [pk for pk, _, _ in nearest]
        rows = {
            row.id: (row, owner)
            for row, owner in session.execute(
                select(FaceRow, UserRow.user_id)
                .outerjoin(UserRow, FaceRow.user_pk == UserRow.id)
                .where(FaceRow.id.in_(pks))
            ).tuples()
        }
        matches = []
        for pk, _, distance in nearest:
            if pk not in rows:
                continue  # deleted between the snapshot and this read
            row, owner = rows[pk]
            score = self.similarity(distance, band, stored_band(row.quality_band))
            if score >= cutoff:
                matches.append({"Similarity": score, "Face": _face(row, owner, with_user=True)})
        return matches


def count_faces(session: Session, collection_pk: int) -> int:
    return int(
        session.scalar(select(func.count()).where(FaceRow.collection_pk == collection_pk)) or 0
    )


def _distance(a: FaceAnalysis, b: FaceAnalysis) -> float:
    return float(np.linalg.norm(a.embedding.astype(np.float64) - b.embedding.astype(np.float64)))


def _face(row: FaceRow, owner: str | None = None, with_user: bool = True) -> Shape:
    face: Shape = {
        "FaceId": row.face_id,
        "BoundingBox": shapes.box_from_stored(row.left, row.top, row.width, row.height),
        "ImageId": row.image_id,
        "Confidence": row.confidence,
        "IndexFacesModelVersion": row.model_version,
    }
    if row.external_image_id is not None:
        face["ExternalImageId"] = row.external_image_id
    if with_user and owner is not None:
        face["UserId"] = owner
    return face
