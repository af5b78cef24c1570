"""The resources a bot locale's DRAFT defines (intents, slot types, slots), each kind described
once as a ``Definition`` and served by one set of Create, Describe, Update, List and Delete
handlers. A kind's own rules are its steps, run inside the write's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import store
from sensorium.services.lex.bots import SERVICE
from sensorium.services.lex.errors import ValidationException
from sensorium.services.lex.paging import Lister, ListOperation
from sensorium.services.lex.store import DRAFT, Place
from sensorium.services.lex.tables import LexResource
from sensorium.storage.database import Database

Body = Callable[[Params], Params]
Step = Callable[["Change"], None]


def locale_place(params: Params) -> Place:
    return Place(params["botId"], params["botVersion"], params["localeId"])


def draft_only(version: str) -> None:
    if version != DRAFT:
        raise ValidationException("Only the DRAFT version can be changed.")


def mark_changed(session: Session, place: Place) -> None:
    """A definition changed: the locale needs building again (its old model keeps serving)."""
    draft_only(place.bot_version)
    locale = store.require_locale(session, place)
    if locale.body.get("botLocaleStatus") in ("Built", "Failed"):
        store.save(locale, {**locale.body, "botLocaleStatus": "NotBuilt"})


def listing_key(place: Place) -> str:
    """The parent of a listing, as its token is bound to it."""
    return "/".join((place.bot_id, place.bot_version, place.locale_id, place.intent_id))


def parent_members(place: Place) -> Params:
    """The members that name a place in the outputs of the resources under it."""
    members = {"botId": place.bot_id, "botVersion": place.bot_version, "localeId": place.locale_id}
    return {**members, "intentId": place.intent_id} if place.intent_id else members


@dataclass(frozen=True)
class Change:
    """One write to a definition, as its kind's steps see it."""

    kind: Definition
    session: Session
    place: Place
    params: Params
    row: LexResource | None = None  # None until a Create has added it

    @property
    def name(self) -> str:
        return str(self.params[self.kind.name_member])

    @property
    def stored(self) -> LexResource:
        """The resource written (steps of an Update or a Delete, or after a Create)."""
        if self.row is None:
            raise RuntimeError(f"the {self.kind.noun} is not stored yet")
        return self.row


def claim_name(change: Change) -> None:
    """A step: no other resource of the kind at the place has the name (an updated one
    keeps its own)."""
    kind, place = change.kind, change.place
    store.claim_name(change.session, kind.row_kind, place, kind.noun, change.name, change.row)


def _as_asked(stored: Params, asked: Params) -> Params:
    return asked


@dataclass(frozen=True)
class Definition:
    """One kind of resource a DRAFT locale defines: what the generic handlers need of it."""

    row_kind: str  # the store's
    resource: str  # as operations name it: "SlotType" (CreateSlotType ... ListSlotTypes)
    noun: str  # as messages name it: "slot type"
    listing: ListOperation
    new_body: Body  # what a Create stores, checked on the request alone
    body: Body  # likewise for an Update
    summarised: Callable[[LexResource], Params]  # a summary's members besides id, name, time
    place: Callable[[Params], Place] = locale_place
    creating: tuple[Step, ...] = ()  # before the resource is added
    added: tuple[Step, ...] = ()
    updating: tuple[Step, ...] = ()  # before the resource is saved
    kept: Callable[[Params, Params], Params] = _as_asked  # (stored, asked) -> body to save
    deleting: tuple[Step, ...] = ()  # before the resource is deleted
    unanswered: tuple[str, ...] = ()  # members of the view a Create does not answer

    @property
    def member(self) -> str:
        return self.resource[0].lower() + self.resource[1:]

    @property
    def id_member(self) -> str:
        return f"{self.member}Id"

    @property
    def name_member(self) -> str:
        return f"{self.member}Name"

    def view(self, row: LexResource) -> Params:
        place = Place(row.bot_id, row.bot_version, row.locale_id, row.intent_id)
        return {
            self.id_member: row.resource_id,
            **parent_members(place),
            **row.body,
            **store.stamps(row),
        }

    def summary(self, row: LexResource) -> Params:
        return {
            self.id_member: row.resource_id,
            self.name_member: row.name,
            "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
            **self.summarised(row),
        }


def register(registry: OperationRegistry, db: Database, lister: Lister, *kinds: Definition) -> None:
    for kind in kinds:
        handlers = _Handlers(db, lister, kind)
        registry.add(SERVICE, f"Create{kind.resource}", handlers.create)
        registry.add(SERVICE, f"Describe{kind.resource}", handlers.describe)
        registry.add(SERVICE, f"Update{kind.resource}", handlers.update)
        registry.add(SERVICE, kind.listing.name, handlers.list)
        registry.add(SERVICE, f"Delete{kind.resource}", handlers.delete)


def _run(steps: tuple[Step, ...], change: Change) -> None:
    for step in steps:
        step(change)


class _Handlers:
    """The operations on one kind of definition."""

    def __init__(self, db: Database, lister: Lister, kind: Definition) -> None:
        self.db = db
        self.lister = lister
        self.kind = kind

    def create(self, ctx: RequestContext, params: Params) -> Params:
        kind = self.kind
        draft_only(params["botVersion"])
        place, body = kind.place(params), kind.new_body(params)
        with self._changing(ctx, place) as session:
            change = Change(kind, session, place, params)
            _run(kind.creating, change)
            row = store.add(session, kind.row_kind, place, store.new_id(), change.name, body)
            _run(kind.added, replace(change, row=row))
        return store.created(kind.view(row), *kind.unanswered)

    def describe(self, ctx: RequestContext, params: Params) -> Params:
        kind, resource_id = self.kind, params[self.kind.id_member]
        with self.db.reading(ctx.scope) as session:
            row = store.find(session, kind.row_kind, kind.place(params), resource_id)
        if row is None:
            raise store.missing(f"{kind.noun} {resource_id}")
        return kind.view(row)

    def update(self, ctx: RequestContext, params: Params) -> Params:
        kind = self.kind
        draft_only(params["botVersion"])
        place, body = kind.place(params), kind.body(params)
        with self._changing(ctx, place) as session:
            change = self._existing(session, place, params)
            _run(kind.updating, change)
            store.save(change.stored, kind.kept(change.stored.body, body), change.name)
        return kind.view(change.stored)

    def list(self, ctx: RequestContext, params: Params) -> Params:
        kind = self.kind
        place = kind.place(params)
        query = store.query(kind.row_kind, place)
        with self.db.reading(ctx.scope) as session:
            page = self.lister.page(session, kind.listing, query, params, listing_key(place))
        output = page.output(f"{kind.member}Summaries", kind.summary, "nextToken")
        return {**parent_members(place), **output}

    def delete(self, ctx: RequestContext, params: Params) -> Params:
        draft_only(params["botVersion"])
        place = self.kind.place(params)
        with self._changing(ctx, place) as session:
            change = self._existing(session, place, params)
            _run(self.kind.deleting, change)
            session.delete(change.stored)
        return {}

    @contextmanager
    def _changing(self, ctx: RequestContext, place: Place) -> Iterator[Session]:
        """The transaction of a change to a DRAFT locale, which then needs building again."""
        with self.db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            yield session

    def _existing(self, session: Session, place: Place, params: Params) -> Change:
        """The change to a stored resource the request names."""
        kind, resource_id = self.kind, params[self.kind.id_member]
        what = f"{kind.noun} {resource_id}"
        row = store.require(session, kind.row_kind, place, resource_id, what)
        return Change(kind, session, place, params, row)
