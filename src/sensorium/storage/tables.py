"""The tables. Every row carries the account and region that own it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Collection(Base):
    """A Rekognition face collection."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("account_id", "region", "collection_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(64))
    collection_id: Mapped[str] = mapped_column(String(255))
    arn: Mapped[str] = mapped_column(String(512), unique=True)
    face_model_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ResourceTag(Base):
    """A tag on any taggable resource, keyed by its ARN (ARNs embed account and region)."""

    __tablename__ = "resource_tags"
    __table_args__ = (UniqueConstraint("resource_arn", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_arn: Mapped[str] = mapped_column(String(512), index=True)
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(256))


__all__ = ["Base", "Collection", "ForeignKey", "ResourceTag", "relationship"]
