"""Tags on resources, for every service's TagResource/UntagResource/ListTagsForResource."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sensorium.storage.tables import ResourceTag

MAX_TAGS_PER_RESOURCE = 50  # AWS's documented per-resource quota


class TooManyTags(ValueError):
    pass


def put_tags(session: Session, arn: str, tags: dict[str, str]) -> None:
    """Add or overwrite tags, in the caller's transaction."""
    existing = {
        tag.key: tag for tag in session.scalars(select(ResourceTag).filter_by(resource_arn=arn))
    }
    if len(set(existing) | set(tags)) > MAX_TAGS_PER_RESOURCE:
        raise TooManyTags(f"A resource can have at most {MAX_TAGS_PER_RESOURCE} tags.")
    for key, value in tags.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(ResourceTag(resource_arn=arn, key=key, value=value))


def remove_tags(session: Session, arn: str, keys: list[str]) -> None:
    if keys:
        session.execute(
            delete(ResourceTag).where(ResourceTag.resource_arn == arn, ResourceTag.key.in_(keys))
        )


def remove_all(session: Session, arn: str) -> None:
    session.execute(delete(ResourceTag).where(ResourceTag.resource_arn == arn))


def list_tags(session: Session, arn: str) -> dict[str, str]:
    rows = session.scalars(
        select(ResourceTag).filter_by(resource_arn=arn).order_by(ResourceTag.key)
    )
    return {row.key: row.value for row in rows}
