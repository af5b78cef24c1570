"""Face collections: create, describe, list, delete, tag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.services import tagging
from sensorium.services.pagination import make_token, read_token_or_fail
from sensorium.storage.database import Database
from sensorium.storage.tables import Collection

DEFAULT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class CollectionInfo:
    collection_id: str
    arn: str
    face_model_version: str
    created_at: dt.datetime
    face_count: int
    user_count: int


def not_found(collection_id: str) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", f"The collection id: {collection_id} does not exist"
    )


def find(session: Session, ctx: RequestContext, collection_id: str) -> Collection:
    """The caller's collection, or ``ResourceNotFoundException``."""
    row = session.scalar(
        select(Collection).filter_by(
            account_id=ctx.account_id, region=ctx.region, collection_id=collection_id
        )
    )
    if row is None:
        raise not_found(collection_id)
    return row


class CollectionService:
    def __init__(
        self,
        db: Database,
        face_model_version: str,
        counts: Callable[[Session, int], tuple[int, int]] | None = None,
        on_delete: Callable[[int], None] | None = None,
    ) -> None:
        self.db = db
        self.face_model_version = face_model_version
        self._counts = counts or (lambda _session, _pk: (0, 0))
        self._on_delete = on_delete

    def create(self, ctx: RequestContext, collection_id: str, tags: dict[str, str]) -> Collection:
        arn = ctx.arn("rekognition", f"collection/{collection_id}")
        try:
            with self.db.transaction() as session:
                taken = session.scalar(
                    select(
                        exists().where(
                            Collection.account_id == ctx.account_id,
                            Collection.region == ctx.region,
                            Collection.collection_id == collection_id,
                        )
                    )
                )
                if taken:
                    raise _already_exists(collection_id)
                row = Collection(
                    account_id=ctx.account_id,
                    region=ctx.region,
                    collection_id=collection_id,
                    arn=arn,
                    face_model_version=self.face_model_version,
                    created_at=dt.datetime.now(dt.UTC),
                )
                session.add(row)
                tagging.put_tags(session, arn, tags)
        except IntegrityError:  # a concurrent create won the race
            raise _already_exists(collection_id) from None
        except tagging.TooManyTags as error:
            raise ServiceError("ServiceQuotaExceededException", str(error)) from None
        return row

    def describe(self, ctx: RequestContext, collection_id: str) -> CollectionInfo:
        with self.db.reading() as session:
            row = find(session, ctx, collection_id)
            face_count, user_count = self._counts(session, row.id)
            return CollectionInfo(
                collection_id=row.collection_id,
                arn=row.arn,
                face_model_version=row.face_model_version,
                created_at=_aware(row.created_at),
                face_count=face_count,
                user_count=user_count,
            )

    def page(
        self, ctx: RequestContext, max_results: int | None, token: str | None
    ) -> tuple[list[Collection], str | None]:
        scope = f"collections:{ctx.account_id}:{ctx.region}"
        after = str(read_token_or_fail(scope, token, ""))
        limit = max_results if max_results else DEFAULT_PAGE_SIZE
        with self.db.reading() as session:
            rows = list(
                session.scalars(
                    select(Collection)
                    .where(
                        Collection.account_id == ctx.account_id,
                        Collection.region == ctx.region,
                        Collection.collection_id > after,
                    )
                    .order_by(Collection.collection_id)
                    .limit(limit + 1)
                )
            )
        next_token = make_token(scope, rows[limit - 1].collection_id) if len(rows) > limit else None
        return rows[:limit], next_token

    def delete(self, ctx: RequestContext, collection_id: str) -> None:
        with self.db.transaction() as session:
            row = find(session, ctx, collection_id)
            tagging.remove_all(session, row.arn)
            session.delete(row)  # faces and users go with it (ON DELETE CASCADE)
            pk = row.id
        if self._on_delete is not None:
            self._on_delete(pk)

    # Tags. Rekognition tags collections, stream processors and projects; we have collections.

    def tag(self, ctx: RequestContext, arn: str, tags: dict[str, str]) -> None:
        try:
            with self.db.transaction() as session:
                self._resource(session, ctx, arn)
                tagging.put_tags(session, arn, tags)
        except tagging.TooManyTags as error:
            raise ServiceError("ServiceQuotaExceededException", str(error)) from None

    def untag(self, ctx: RequestContext, arn: str, keys: list[str]) -> None:
        with self.db.transaction() as session:
            self._resource(session, ctx, arn)
            tagging.remove_tags(session, arn, keys)

    def tags(self, ctx: RequestContext, arn: str) -> dict[str, str]:
        with self.db.reading() as session:
            self._resource(session, ctx, arn)
            return tagging.list_tags(session, arn)

    @staticmethod
    def _resource(session: Session, ctx: RequestContext, arn: str) -> Collection:
        row = session.scalar(
            select(Collection).filter_by(account_id=ctx.account_id, region=ctx.region, arn=arn)
        )
        if row is None:
            raise ServiceError("ResourceNotFoundException", f"The resource {arn} does not exist")
        return row


def _already_exists(collection_id: str) -> ServiceError:
    return ServiceError(
        "ResourceAlreadyExistsException", f"The collection id: {collection_id} already exists"
    )


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
