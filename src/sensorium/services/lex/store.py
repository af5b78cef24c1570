"""Reading and writing model-building resources (one JSON row per resource).

Sessions are opened for the caller's scope, so every query here sees only the caller's
account and region (``storage.owned``).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from sensorium.errors import ServiceError
from sensorium.operations import Params
from sensorium.services.lex.errors import (
    ConflictException,
    PreconditionFailedException,
    ResourceNotFoundException,
)
from sensorium.services.lex.tables import LexResource
from sensorium.storage.owned import aware, utcnow

_ID_ALPHABET = string.ascii_uppercase + string.digits
DRAFT = "DRAFT"
TEST_ALIAS_ID = "TSTALIASID"
FALLBACK_INTENT_ID = "FALLBCKINT"


def new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


@dataclass(frozen=True)
class Place:
    """Where a resource lives: its bot, version, locale and (for slots) intent."""

    bot_id: str
    bot_version: str = ""
    locale_id: str = ""
    intent_id: str = ""

    @property
    def build_key(self) -> str:
        """The resource key of a locale's build job."""
        return f"{self.bot_id}/{self.bot_version}/{self.locale_id}"

    @classmethod
    def of_build(cls, key: str) -> Place:
        bot_id, bot_version, locale_id = key.split("/")
        return cls(bot_id, bot_version, locale_id)


def find(session: Session, kind: str, place: Place, resource_id: str) -> LexResource | None:
    return session.scalars(
        select(LexResource).where(
            LexResource.kind == kind,
            LexResource.bot_id == place.bot_id,
            LexResource.bot_version == place.bot_version,
            LexResource.locale_id == place.locale_id,
            LexResource.intent_id == place.intent_id,
            LexResource.resource_id == resource_id,
        )
    ).first()


def query(kind: str, place: Place, *, exact: bool = True) -> Select[LexResource]:
    """Resources of ``kind`` at ``place`` (``exact=False``: anywhere below the given parts)."""
    statement = select(LexResource).where(
        LexResource.kind == kind, LexResource.bot_id == place.bot_id
    )
    for column, value in (
        (LexResource.bot_version, place.bot_version),
        (LexResource.locale_id, place.locale_id),
        (LexResource.intent_id, place.intent_id),
    ):
        if exact or value:
            statement = statement.where(column == value)
    return statement


def children(session: Session, kind: str, place: Place, *, exact: bool = True) -> list[LexResource]:
    return list(session.scalars(query(kind, place, exact=exact).order_by(LexResource.id)))


def require(session: Session, kind: str, place: Place, resource_id: str, what: str) -> LexResource:
    """The resource a change is made to (or under): PreconditionFailed, naming ``what``,
    where there is none."""
    row = find(session, kind, place, resource_id)
    if row is None:
        raise precondition(what)
    return row


def by_name(session: Session, kind: str, place: Place, name: str) -> LexResource | None:
    return session.scalars(query(kind, place).where(LexResource.name == name)).first()


def claim_name(
    session: Session,
    kind: str,
    place: Place,
    noun: str,
    name: str,
    renamed: LexResource | None = None,
) -> None:
    """Refuse ``name`` where another resource of the kind at the place has it (the one being
    ``renamed`` may keep its own)."""
    other = by_name(session, kind, place, name)
    if other is not None and (renamed is None or other.resource_id != renamed.resource_id):
        article = "An" if noun[0] in "aeiou" else "A"
        raise ConflictException(f"{article} {noun} named {name} exists.")


def find_locale(session: Session, place: Place) -> LexResource | None:
    return find(session, "locale", Place(place.bot_id, place.bot_version), place.locale_id)


def require_locale(session: Session, place: Place) -> LexResource:
    where = Place(place.bot_id, place.bot_version)
    what = f"locale {place.locale_id} of bot {place.bot_id} version {place.bot_version}"
    return require(session, "locale", where, place.locale_id, what)


def add(
    session: Session, kind: str, place: Place, resource_id: str, name: str, body: dict[str, Any]
) -> LexResource:
    stamp = utcnow()  # one instant for both, as a new resource shows them
    row = LexResource(
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
    # An update that changes nothing still counts as one, as on AWS.
    row.updated_at = utcnow()


def remove_below(session: Session, place: Place) -> None:
    """Delete every resource under a bot (or a version, locale or intent of it)."""
    statement = delete(LexResource).where(LexResource.bot_id == place.bot_id)
    for column, value in (
        (LexResource.bot_version, place.bot_version),
        (LexResource.locale_id, place.locale_id),
        (LexResource.intent_id, place.intent_id),
    ):
        if value:
            statement = statement.where(column == value)
    session.execute(statement)


def missing(what: str) -> ServiceError:
    return ResourceNotFoundException(f"Failed to retrieve resource since it does not exist: {what}")


def precondition(what: str) -> ServiceError:
    return PreconditionFailedException(
        f"Failed to retrieve resource since it does not exist: {what}",
    )


def body_of(params: Params, fields: tuple[str, ...]) -> Params:
    """The members of ``params`` among ``fields``: what a request asks a body to hold."""
    return {k: params[k] for k in fields if k in params}


def created(view: Params, *unanswered: str) -> Params:
    """A resource's view as its Create answers it: never updated yet, less ``unanswered``."""
    hidden = ("lastUpdatedDateTime", *unanswered)
    return {k: v for k, v in view.items() if k not in hidden}


def stamps(row: LexResource) -> dict[str, Any]:
    return {
        "creationDateTime": aware(row.created_at),
        "lastUpdatedDateTime": aware(row.updated_at),
    }
