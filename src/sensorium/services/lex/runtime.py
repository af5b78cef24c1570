"""lexv2-runtime: RecognizeText, RecognizeUtterance and sessions, on a built locale."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.pipeline import NluPipeline
from sensorium.operations import Params
from sensorium.services.lex import store
from sensorium.services.lex.bots import find_bot
from sensorium.services.lex.dialog import Dialog, Turn, wire_slots
from sensorium.services.lex.errors import ResourceNotFoundException, ValidationException
from sensorium.services.lex.store import Place
from sensorium.services.lex.tables import LexModel, LexSession
from sensorium.storage.database import Database
from sensorium.storage.owned import aware, utcnow

TIME_ZONE_ATTRIBUTE = "x-amz-lex:time-zone"


@dataclass(frozen=True)
class Target:
    bot_id: str
    alias_id: str
    locale_id: str
    session_id: str
    version: str
    ttl: int
    definition: dict[str, Any]
    pipeline: NluPipeline


MAX_LOADED_BOTS = 64


class Runtime:
    def __init__(self, db: Database, encoder: Callable[[], UtteranceEncoder]) -> None:
        self.db = db
        self.encoder = encoder
        # The built bots last used (their networks, ready to run): bounded, least recently
        # used first out.
        self._pipelines: OrderedDict[tuple[int, str], NluPipeline] = OrderedDict()
        self._lock = threading.Lock()

    # -- resolving the bot

    def target(self, ctx: RequestContext, params: Params) -> Target:
        bot_id, alias_id, locale_id = params["botId"], params["botAliasId"], params["localeId"]
        with self.db.reading(ctx.scope) as session:
            bot = find_bot(session, bot_id)
            if bot is None:
                raise ResourceNotFoundException(f"Bot {bot_id} does not exist.")
            alias = store.find(session, "alias", Place(bot_id), alias_id)
            if alias is None:
                raise ResourceNotFoundException(f"Bot {bot_id} has no alias {alias_id}.")
            version = alias.body["botVersion"]
            settings = (alias.body.get("botAliasLocaleSettings") or {}).get(locale_id)
            if settings is not None and not settings.get("enabled", True):
                raise ValidationException(f"Locale {locale_id} is disabled on alias {alias_id}.")
            model = _model(session, bot_id, version, locale_id)
            if model is None:
                raise ResourceNotFoundException(
                    f"Locale {locale_id} of bot {bot_id} version {version} does not exist or "
                    "has not been built (call BuildBotLocale).",
                )
            key = (model.id, model.built_at.isoformat())
            definition = model.definition
        pipeline = self._pipeline(ctx, key)
        ttl = int(bot.body.get("idleSessionTTLInSeconds", 300))
        return Target(
            bot_id, alias_id, locale_id, params["sessionId"], version, ttl, definition, pipeline
        )

    def _pipeline(self, ctx: RequestContext, key: tuple[int, str]) -> NluPipeline:
        with self._lock:
            cached = self._pipelines.get(key)
            if cached is not None:
                self._pipelines.move_to_end(key)
                return cached
        with self.db.reading(ctx.scope) as session:
            weights = session.scalar(select(LexModel.weights).where(LexModel.id == key[0]))
        if weights is None:
            raise ResourceNotFoundException("The bot locale was deleted.")
        try:
            pipeline = NluPipeline.from_bytes(weights, self.encoder().dimension)
        except ValueError:
            raise ResourceNotFoundException(
                "The bot locale was built by an earlier version of the server; build it again "
                "(call BuildBotLocale)."
            ) from None
        with self._lock:
            self._pipelines[key] = pipeline
            while len(self._pipelines) > MAX_LOADED_BOTS:
                self._pipelines.popitem(last=False)
        return pipeline

    # -- sessions

    @staticmethod
    def _find_session(session: Session, t: Target) -> LexSession | None:
        return session.scalars(
            select(LexSession).filter_by(
                bot_id=t.bot_id,
                alias_id=t.alias_id,
                locale_id=t.locale_id,
                session_id=t.session_id,
            )
        ).first()

    def load(self, ctx: RequestContext, t: Target) -> dict[str, Any] | None:
        with self.db.reading(ctx.scope) as session:
            row = self._find_session(session, t)
        if row is None or aware(row.expires_at) < utcnow():
            return None
        return copy.deepcopy(row.state)

    def save(self, ctx: RequestContext, t: Target, state: dict[str, Any]) -> None:
        expires = utcnow() + dt.timedelta(seconds=t.ttl)
        with self.db.transaction(ctx.scope) as session:
            row = self._find_session(session, t)
            if row is None:
                row = LexSession(
                    bot_id=t.bot_id,
                    alias_id=t.alias_id,
                    locale_id=t.locale_id,
                    session_id=t.session_id,
                )
                session.add(row)
            row.state = state
            row.expires_at = expires

    def delete(self, ctx: RequestContext, t: Target) -> None:
        with self.db.transaction(ctx.scope) as session:
            row = self._find_session(session, t)
            if row is None or aware(row.expires_at) < utcnow():
                raise ResourceNotFoundException(f"Session {t.session_id} does not exist.")
            session.delete(row)

    # -- a turn

    def recognize(
        self, ctx: RequestContext, params: Params, text: str, target: Target | None = None
    ) -> Params:
        """One turn; ``target`` when the caller resolved the bot already."""
        t = target or self.target(ctx, params)
        saved = self.load(ctx, t) or {"sessionState": {"sessionAttributes": {}}, "retries": 0}
        state = _merge(saved["sessionState"], params.get("sessionState"))
        state["originatingRequestId"] = ctx.request_id
        request_attributes = params.get("requestAttributes") or {}
        parse = t.pipeline.parse(text, self.encoder())
        today = _today(request_attributes)
        internal = _to_internal(state)
        turn: Turn = Dialog(t.definition, today).respond(internal, text, parse, saved["retries"])
        out_state = _to_wire(turn.state, t.definition)
        interpretations = [
            {**i, "intent": _intent_to_wire(i["intent"], t.definition)}
            for i in turn.interpretations
        ]
        record = {
            "sessionState": out_state,
            "retries": turn.retries,
            "messages": turn.messages,
            "interpretations": interpretations,
        }
        self.save(ctx, t, record)
        result: Params = {
            "sessionState": out_state,
            "interpretations": interpretations,
            "sessionId": t.session_id,
        }
        if turn.messages:
            result["messages"] = turn.messages
        if request_attributes:
            result["requestAttributes"] = request_attributes
        return result

    def put_session(
        self, ctx: RequestContext, params: Params, target: Target | None = None
    ) -> Params:
        t = target or self.target(ctx, params)
        state = copy.deepcopy(params["sessionState"])
        state["originatingRequestId"] = ctx.request_id
        messages = params.get("messages") or []
        self.save(
            ctx,
            t,
            {"sessionState": state, "retries": 0, "messages": messages, "interpretations": []},
        )
        result: Params = {"sessionState": state, "sessionId": t.session_id}
        if messages:
            result["messages"] = messages
        if params.get("requestAttributes"):
            result["requestAttributes"] = params["requestAttributes"]
        return result

    def get_session(self, ctx: RequestContext, params: Params) -> Params:
        t = self.target(ctx, params)
        saved = self.load(ctx, t)
        if saved is None:
            raise ResourceNotFoundException(f"Session {t.session_id} does not exist.")
        result: Params = {"sessionId": t.session_id, "sessionState": saved["sessionState"]}
        if saved.get("messages"):
            result["messages"] = saved["messages"]
        if saved.get("interpretations"):
            result["interpretations"] = saved["interpretations"]
        return result


def _model(session: Session, bot_id: str, version: str, locale_id: str) -> LexModel | None:
    return session.scalars(
        select(LexModel).filter_by(bot_id=bot_id, bot_version=version, locale_id=locale_id)
    ).first()


def _today(attributes: dict[str, str]) -> dt.date:
    zone = attributes.get(TIME_ZONE_ATTRIBUTE)
    if zone:
        try:
            return dt.datetime.now(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationException(f"Unknown time zone {zone}.") from None
    return dt.datetime.now(dt.UTC).date()


def _merge(saved: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """The request's sessionState replaces the stored parts it names."""
    state = copy.deepcopy(saved)
    for key, value in (given or {}).items():
        state[key] = copy.deepcopy(value)
    state.setdefault("sessionAttributes", {})
    return state


def _to_internal(state: dict[str, Any]) -> dict[str, Any]:
    state = copy.deepcopy(state)
    intent = state.get("intent")
    if intent:
        intent["slots"] = {
            name: slot["value"]
            for name, slot in (intent.get("slots") or {}).items()
            if slot and slot.get("value")
        }
    return state


def _intent_to_wire(intent: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    """Every slot of the intent, as AWS sends them: unfilled ones are ``null``."""
    declared = definition["intents"].get(intent.get("name"), {}).get("slots", {})
    slots: dict[str, Any] = dict.fromkeys(declared)
    slots.update(wire_slots(intent.get("slots") or {}))
    return {**intent, "slots": slots}


def _to_wire(state: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    state = copy.deepcopy(state)
    if state.get("intent"):
        state["intent"] = _intent_to_wire(state["intent"], definition)
    return state
