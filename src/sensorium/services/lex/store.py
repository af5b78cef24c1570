"""Reading and writing model-building resources (one JSON row per resource)."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.services.lex.tables import LexResource

_ID_ALPHABET = string.ascii_uppercase + string.digits
DRAFT = "DRAFT"
TEST_ALIAS_ID = "TSTALIASID"
FALLBACK_INTENT_ID = "FALLBCKINT"


def new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Place:
    """Where a resource lives: its bot, version, locale and (for slots) intent."""

    bot_id: str
    bot_version: str = ""
    locale_id: str = ""
    intent_id: str = ""


def find(
    session: Session, ctx: RequestContext, kind: str, place: Place, resource_id: str
) -> LexResource | None:
    return session.scalars(
        select(LexResource).where(
            LexResource.account_id == ctx.account_id,
            LexResource.region == ctx.region,
            LexResource.kind == kind,
            LexResource.bot_id == place.bot_id,
            LexResource.bot_version == place.bot_version,
            LexResource.locale_id == place.locale_id,
            LexResource.intent_id == place.intent_id,
            LexResource.resource_id == resource_id,
        )
    ).first()


def children(
    session: Session, ctx: RequestContext, kind: str, place: Place, *, exact: bool = True
) -> list[LexResource]:
    """Resources of ``kind`` at ``place`` (``exact=False``: anywhere below the given parts)."""
    query = select(LexResource).where(
        LexResource.account_id == ctx.account_id,
        LexResource.region == ctx.region,
        LexResource.kind == kind,
        LexResource.bot_id == place.bot_id,
    )
    for column, value in (
        (LexResource.bot_version, place.bot_version),
        (LexResource.locale_id, place.locale_id),
        (LexResource.intent_id, place.intent_id),
    ):
        if exact or value:
            query = query.where(column == value)
    return list(session.scalars(query.order_by(LexResource.id)))


def by_name(
    session: Session, ctx: RequestContext, kind: str, place: Place, name: str
) -> LexResource | None:
    for row in children(session, ctx, kind, place):
        if row.name == name:
            return row
    return None


def add(
    session: Session,
    ctx: RequestContext,
    kind: str,
    place: Place,
    resource_id: str,
    name: str,
    body: dict[str, Any],
) -> LexResource:
    stamp = now()
    row = LexResource(
        account_id=ctx.account_id,
        region=ctx.region,
        kind=kind,
        bot_id=place.bot_id,
        bot_version=place.bot_version,
        locale_id=place.locale_id,
        intent_id=place.intent_id,
        resource_id=resource_id,
        name=name,
        body=body,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(row)
    return row


def save(row: LexResource, body: dict[str, Any], name: str | None = None) -> None:
    row.body = body  # a new dict, so SQLAlchemy sees the change
    if name is not None:
        row.name = name
    row.updated_at = now()


def remove_below(session: Session, ctx: RequestContext, place: Place) -> None:
    """Delete every resource under a bot (or a version, locale or intent of it)."""
    query = delete(LexResource).where(
        LexResource.account_id == ctx.account_id,
        LexResource.region == ctx.region,
        LexResource.bot_id == place.bot_id,
    )
    for column, value in (
        (LexResource.bot_version, place.bot_version),
        (LexResource.locale_id, place.locale_id),
        (LexResource.intent_id, place.intent_id),
    ):
        if value:
            query = query.where(column == value)
    session.execute(query)


def missing(what: str) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", f"Failed to retrieve resource since it does not exist: {what}"
    )


def precondition(what: str) -> ServiceError:
    return ServiceError(
        "PreconditionFailedException",
        f"Failed to retrieve resource since it does not exist: {what}",
    )


def stamps(row: LexResource) -> dict[str, Any]:
    return {"creationDateTime": row.created_at, "lastUpdatedDateTime": row.updated_at}
