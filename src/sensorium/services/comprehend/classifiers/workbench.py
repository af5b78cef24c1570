"""What every part of custom classification works with, and what they share: the trained
heads as loaded models, ARNs, tags, List filters on submit times."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets
from sensorium.context import RequestContext
from sensorium.jobs import JobSystem
from sensorium.models.text.custom_classifier import (
    Array,
    DocumentEncoder,
    TrainedHead,
)
from sensorium.services.comprehend.classifiers.tables import ClassifierRow
from sensorium.services.comprehend.errors import (
    InvalidRequestException,
    ResourceNotFoundException,
    TooManyTagsException,
)
from sensorium.storage import tagging
from sensorium.storage.database import Database
from sensorium.storage.paging import Paginator

Shape = dict[str, Any]
SERVICE = "comprehend"
CACHED_HEADS = 64
DEFAULT_PAGE_SIZE = 100  # a page when MaxResults is not given
MAX_PAGE_SIZE = 500  # the largest MaxResults the model allows


class HeadCache:
    """Trained heads loaded from their classifier rows, the most recently used kept."""

    def __init__(self, size: int = CACHED_HEADS) -> None:
        self._size = size
        self._heads: OrderedDict[tuple[str, dt.datetime], TrainedHead] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: tuple[str, dt.datetime], load: Callable[[], bytes], device: str
    ) -> TrainedHead:
        with self._lock:
            if key in self._heads:
                self._heads.move_to_end(key)
                return self._heads[key]
        head = TrainedHead.from_bytes(load()).to(device)
        with self._lock:
            self._heads[key] = head
            while len(self._heads) > self._size:
                self._heads.popitem(last=False)
        return head


@dataclass
class Workbench:
    db: Database
    blobs: Buckets
    jobs: JobSystem
    paginator: Paginator
    encoder: Callable[[], DocumentEncoder]
    heads: HeadCache = field(default_factory=HeadCache)

    def head(self, session: Session, row: ClassifierRow) -> TrainedHead:
        """The classifier's trained head (``row`` must be TRAINED)."""

        def load() -> bytes:
            data = session.scalar(select(ClassifierRow.model).where(ClassifierRow.id == row.id))
            if data is None:
                raise ValueError(f"{row.arn} holds no trained model")
            return data

        return self.heads.get((row.arn, row.updated_at), load, self.encoder().device)

    def classify(self, head: TrainedHead, texts: Sequence[str]) -> Array:
        return head.probabilities(self.encoder().embed(texts))


def classifier_arn(ctx: RequestContext, name: str, version: str | None) -> str:
    resource = f"document-classifier/{name}" + (f"/version/{version}" if version else "")
    return ctx.arn(SERVICE, resource)


def find_classifier(session: Session, arn: str) -> ClassifierRow:
    row = session.scalar(select(ClassifierRow).filter_by(arn=arn))
    if row is None:
        raise ResourceNotFoundException(f"Could not find the document classifier {arn}.")
    return row


def check_arn_scope(ctx: RequestContext, arn: str) -> None:
    """An ARN of another account or region names nothing the caller can see."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[3] != ctx.region or parts[4] != ctx.account_id:
        raise ResourceNotFoundException(f"Could not find the resource {arn}.")


def put_tags(session: Session, arn: str, tags: list[Shape] | None) -> None:
    if not tags:
        return
    try:
        tagging.put_tags(session, arn, {t["Key"]: t.get("Value", "") for t in tags})
    except tagging.TooManyTags as error:
        raise TooManyTagsException(str(error)) from None


def time_filter(
    query: Select[Any], column: Any, filters: Shape, before: str, after: str
) -> Select[Any]:
    if before in filters:
        query = query.where(column < filters[before])
    if after in filters:
        query = query.where(column > filters[after])
    return query


def page_size(params: Shape) -> int:
    limit = params.get("MaxResults") or DEFAULT_PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequestException(f"MaxResults must be between 1 and {MAX_PAGE_SIZE}.")
    return int(limit)
