"""Rekognition's tables: collections, the faces and users stored in them, and the log of
face changes that keeps every node's search index in step."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.owned import Owned, utcnow
from sensorium.storage.tables import Base


class Collection(Owned, Base):
    """A Rekognition face collection."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("account_id", "region", "collection_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[str] = mapped_column(String(255))
    arn: Mapped[str] = mapped_column(String(512), unique=True)
    face_model_version: Mapped[str] = mapped_column(String(64))
    # Raised by one in every transaction that changes its faces or their users (face_log).
    face_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class FaceRow(Base):
    __tablename__ = "faces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_pk: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), index=True
    )
    face_id: Mapped[str] = mapped_column(String(36), unique=True)
    image_id: Mapped[str] = mapped_column(String(36))
    image_sha256: Mapped[str] = mapped_column(String(64))
    external_image_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    left: Mapped[float] = mapped_column(Float)
    top: Mapped[float] = mapped_column(Float)
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    model_version: Mapped[str] = mapped_column(String(64))
    # bands.Band, which Similarity is calibrated by; NULL for faces indexed before bands.
    quality_band: Mapped[str | None] = mapped_column(String(8), nullable=True)
    user_pk: Mapped[int | None] = mapped_column(
        ForeignKey("face_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserRow(Base):
    __tablename__ = "face_users"
    __table_args__ = (UniqueConstraint("collection_pk", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_pk: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaceChangeRow(Base):
    """One face's change in one version of its collection: what a node applies to its index
    to catch up. ``add`` carries the embedding, so a change is applied without reading
    ``faces`` (whose row may be gone by then)."""

    __tablename__ = "face_changes"

    collection_pk: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    face_pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation: Mapped[str] = mapped_column(String(8))  # add, remove, user
    user_pk: Mapped[int | None] = mapped_column(Integer, nullable=True)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
