"""Face collections: create, describe, list, delete, tag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.services.rekognition.errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
)
from sensorium.services.rekognition.tables import Collection
from sensorium.storage import tagging
from sensorium.storage.database import Database
from sensorium.storage.owned import aware
from sensorium.storage.paging import Listing, Page, Paginator

Shape = dict[str, Any]
DEFAULT_PAGE_SIZE = 1000
COLLECTIONS = Listing("ListCollections", (Collection.collection_id, Collection.id))


@dataclass(frozen=True)
class CollectionInfo:
    collection_id: str
    arn: str
    face_model_version: str
    created_at: dt.datetime
    face_count: int
    user_count: int


def not_found(collection_id: str) -> ServiceError:
    return ResourceNotFoundException(f"The collection id: {collection_id} does not exist")


def find(session: Session, collection_id: str) -> Collection:
    """The collection of the session's account and region, or ``ResourceNotFoundException``."""
    row = session.scalar(select(Collection).filter_by(collection_id=collection_id))
    if row is None:
        raise not_found(collection_id)
    return row


class CollectionService:
    def __init__(
        self,
        db: Database,
        paginator: Paginator,
        face_model_version: str,
        counts: Callable[[Session, int], tuple[int, int]] | None = None,
        on_delete: Callable[[int], None] | None = None,
    ) -> None:
        self.db = db
        self.paginator = paginator
        self.face_model_version = face_model_version
        self._counts = counts or (lambda _session, _pk: (0, 0))
        self._on_delete = on_delete

    def create(self, ctx: RequestContext, collection_id: str, tags: dict[str, str]) -> Collection:
        arn = ctx.arn("rekognition", f"collection/{collection_id}")
        try:
            with self.db.transaction(ctx.scope) as session:
                taken = session.scalar(select(Collection.id).filter_by(collection_id=collection_id))
                if taken is not None:
                    raise _already_exists(collection_id)
                row = Collection(
                    collection_id=collection_id,
                    arn=arn,
                    face_model_version=self.face_model_version,
                )
                session.add(row)
                tagging.put_tags(session, arn, tags)
        except IntegrityError:  # a concurrent create won the race
            raise _already_exists(collection_id) from None
        except tagging.TooManyTags as error:
            raise ServiceQuotaExceededException(str(error)) from None
        return row

    def describe(self, ctx: RequestContext, collection_id: str) -> CollectionInfo:
        with self.db.reading(ctx.scope) as session:
            row = find(session, collection_id)
            face_count, user_count = self._counts(session, row.id)
            return CollectionInfo(
                collection_id=row.collection_id,
                arn=row.arn,
                face_model_version=row.face_model_version,
                created_at=aware(row.created_at),
                face_count=face_count,
                user_count=user_count,
            )

    def page(
        self, ctx: RequestContext, max_results: int | None, token: str | None
    ) -> Page[Collection]:
        limit = max_results or DEFAULT_PAGE_SIZE
        with self.db.reading(ctx.scope) as session:
            return self.paginator.page(session, select(Collection), COLLECTIONS, limit, token)

    def delete(self, ctx: RequestContext, collection_id: str) -> None:
        with self.db.transaction(ctx.scope) as session:
            row = find(session, collection_id)
            tagging.remove_all(session, row.arn)
            session.delete(row)  # faces and users go with it (ON DELETE CASCADE)
            pk = row.id
        if self._on_delete is not None:
            self._on_delete(pk)

    # Tags. Rekognition tags collections, stream processors and projects; we have collections.

    def tag_resource(self, ctx: RequestContext, arn: str, tags: dict[str, str]) -> Shape:
        try:
            with self.db.transaction(ctx.scope) as session:
                self._resource(session, arn)
                tagging.put_tags(session, arn, tags)
        except tagging.TooManyTags as error:
            raise ServiceQuotaExceededException(str(error)) from None
        return {}

    def untag_resource(self, ctx: RequestContext, arn: str, keys: list[str]) -> Shape:
        with self.db.transaction(ctx.scope) as session:
            self._resource(session, arn)
            tagging.remove_tags(session, arn, keys)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, arn: str) -> Shape:
        with self.db.reading(ctx.scope) as session:
            self._resource(session, arn)
            return {"Tags": tagging.list_tags(session, arn)}

    @staticmethod
    def _resource(session: Session, arn: str) -> Collection:
        row = session.scalar(select(Collection).filter_by(arn=arn))
        if row is None:
            raise ResourceNotFoundException(f"The resource {arn} does not exist")
        return row


def _already_exists(collection_id: str) -> ServiceError:
    return ResourceAlreadyExistsException(f"The collection id: {collection_id} already exists")
