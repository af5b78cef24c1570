"""The declarative base, and the tables every service shares (tags, keyed by ARN)."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ResourceTag(Base):
    """A tag on any taggable resource, keyed by its ARN (ARNs embed account and region)."""

    __tablename__ = "resource_tags"
    __table_args__ = (UniqueConstraint("resource_arn", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_arn: Mapped[str] = mapped_column(String(512), index=True)
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(256))


__all__ = ["Base", "ResourceTag"]
