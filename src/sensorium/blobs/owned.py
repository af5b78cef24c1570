"""Buckets belong to accounts: the objects a service reads and writes for a caller.

S3 buckets have one owner. A bucket is owned by the first account that uses it through
Sensorium (creating it, writing to it, or reading a folder placed under ``DATA_DIR/s3`` by
hand); every other account is refused with ``BlobAccessDenied``. A service's own bucket
(Transcribe's results bucket) is shared, but each account only reaches the keys under its own
account id (``ACCOUNT/...``). The rule holds for local folders and an external S3 endpoint
alike: the server's credentials there are its own, not the caller's.
"""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import DateTime, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.blobs import urls
from sensorium.blobs.store import BlobStore, S3Buckets, check_location
from sensorium.context import RequestContext, Scope
from sensorium.errors import BlobAccessDenied
from sensorium.storage.database import Database
from sensorium.storage.owned import UNSCOPED, utcnow
from sensorium.storage.tables import Base


class BucketOwner(Base):
    __tablename__ = "bucket_owners"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Buckets:
    """The blob store as each account may use it."""

    def __init__(self, store: BlobStore, db: Database) -> None:
        self.store = store
        self.db = db
        self.shared: set[str] = set()
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def share(self, bucket: str) -> None:
        """A service's own bucket: each account reaches the keys under ``ACCOUNT/``."""
        self.shared.add(bucket)

    def read(self, scope: Scope, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        self.allow(scope, bucket, key)
        return self.store.read(bucket, key, max_bytes)

    def write(self, scope: Scope, bucket: str, key: str, data: bytes) -> None:
        self.allow(scope, bucket, key)
        self.store.write(bucket, key, data)

    def exists(self, scope: Scope, bucket: str, key: str) -> bool:
        self.allow(scope, bucket, key)
        return self.store.exists(bucket, key)

    def delete(self, scope: Scope, bucket: str, key: str) -> None:
        self.allow(scope, bucket, key)
        self.store.delete(bucket, key)

    def url(self, ctx: RequestContext, bucket: str, key: str) -> str:
        """Where the caller finds an object it reads with its own credentials, as AWS gives
        an output in the caller's bucket: ``ENDPOINT/BUCKET/KEY`` (see ``urls``)."""
        external = self.store.endpoint_url if isinstance(self.store, S3Buckets) else None
        return urls.object_url(ctx, bucket, key, external)

    def presigned_url(self, ctx: RequestContext, bucket: str, key: str) -> str:
        """A temporary URL any HTTP client can GET, as AWS gives an output in a service's
        own bucket (``urls.PRESIGNED_SECONDS``)."""
        if isinstance(self.store, S3Buckets):
            return self.store.presigned_get(bucket, key, urls.PRESIGNED_SECONDS)
        return urls.presigned_url(ctx, bucket, key)

    def allow(self, scope: Scope, bucket: str, key: str = "") -> None:
        """Whether ``scope``'s account may use this object (claiming an unowned bucket);
        ``BlobAccessDenied`` if not, ``InvalidBlobKey`` (before any claim) for a bucket name
        or key S3 would refuse."""
        check_location(bucket, key)
        if bucket in self.shared:
            if not key.startswith(f"{scope.account_id}/"):
                raise BlobAccessDenied(f"Access Denied to s3://{bucket}/{key}.")
            return
        if self._owner(bucket, scope.account_id) != scope.account_id:
            raise BlobAccessDenied(
                f"Access Denied: the bucket {bucket} belongs to another account."
            )

    def owner(self, bucket: str) -> str | None:
        """The account that owns ``bucket``, claiming nothing; ``None`` when unclaimed."""
        with self._lock:
            known = self._owners.get(bucket)
        return known if known is not None else self._stored_owner(bucket)

    def owned_by(self, account_id: str) -> list[tuple[str, dt.datetime]]:
        """The buckets ``account_id`` owns (name, when claimed), by name."""
        with self.db.reading(UNSCOPED) as session:
            rows = session.execute(
                select(BucketOwner.name, BucketOwner.created_at)
                .where(BucketOwner.account_id == account_id)
                .order_by(BucketOwner.name)
            )
            return [(name, created) for name, created in rows]

    def _owner(self, bucket: str, claimant: str) -> str:
        with self._lock:
            known = self._owners.get(bucket)
        if known is not None:
            return known
        owner = self._stored_owner(bucket)
        if owner is None:
            try:
                with self.db.transaction(UNSCOPED) as session:
                    session.add(BucketOwner(name=bucket, account_id=claimant))
                owner = claimant
            except IntegrityError:  # claimed concurrently (perhaps on another node)
                owner = self._stored_owner(bucket)
        assert owner is not None
        with self._lock:
            self._owners[bucket] = owner
        return owner

    def _stored_owner(self, bucket: str) -> str | None:
        with self.db.reading(UNSCOPED) as session:
            return session.scalar(select(BucketOwner.account_id).where(BucketOwner.name == bucket))
