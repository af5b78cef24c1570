"""Bot locales, intents, slot types and slots of a bot's DRAFT version (lexv2-models)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.nlu.augment import slot_references
from sensorium.models.nlu.builtins import RESOLVERS
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import store
from sensorium.services.lex.bots import SERVICE, find_bot
from sensorium.services.lex.paging import page
from sensorium.services.lex.store import DRAFT, FALLBACK_INTENT_ID, Place
from sensorium.services.lex.tables import LexResource
from sensorium.storage.database import Database

LOCALES = {
    "en_US": "English (US)",
    "en_GB": "English (GB)",
    "en_AU": "English (AU)",
    "en_IN": "English (IN)",
    "en_ZA": "English (ZA)",
}
BUILT_IN_SLOT_TYPES = frozenset(RESOLVERS)
LOCALE_FIELDS = ("description", "nluIntentConfidenceThreshold", "voiceSettings")
INTENT_FIELDS = (
    "intentName", "intentDisplayName", "description", "parentIntentSignature",
    "sampleUtterances", "dialogCodeHook", "fulfillmentCodeHook", "intentConfirmationSetting",
    "intentClosingSetting", "inputContexts", "outputContexts", "kendraConfiguration",
    "initialResponseSetting", "slotPriorities",
)  # fmt: skip
SLOT_TYPE_FIELDS = (
    "slotTypeName", "description", "slotTypeValues", "valueSelectionSetting",
    "parentSlotTypeSignature", "externalSourceSetting", "compositeSlotTypeSetting",
)  # fmt: skip
SLOT_FIELDS = (
    "slotName", "description", "slotTypeId", "valueElicitationSetting", "obfuscationSetting",
    "multipleValuesSetting", "subSlotSetting",
)  # fmt: skip

BuildStarter = Callable[[RequestContext, Place], Params]


def locale_place(params: Params) -> Place:
    return Place(params["botId"], params["botVersion"], params["localeId"])


def find_locale(session: Session, ctx: RequestContext, place: Place) -> LexResource | None:
    return store.find(
        session, ctx, "locale", Place(place.bot_id, place.bot_version), place.locale_id
    )


def require_locale(session: Session, ctx: RequestContext, place: Place) -> LexResource:
    locale = find_locale(session, ctx, place)
    if locale is None:
        raise store.precondition(
            f"locale {place.locale_id} of bot {place.bot_id} version {place.bot_version}"
        )
    return locale


def mark_changed(session: Session, ctx: RequestContext, place: Place) -> None:
    """A definition changed: the locale needs building again (its old model keeps serving)."""
    if place.bot_version != DRAFT:
        raise ServiceError("ValidationException", "Only the DRAFT version can be changed.")
    locale = require_locale(session, ctx, place)
    if locale.body.get("botLocaleStatus") in ("Built", "Failed"):
        store.save(locale, {**locale.body, "botLocaleStatus": "NotBuilt"})


def _draft_only(params: Params) -> None:
    if params["botVersion"] != DRAFT:
        raise ServiceError("ValidationException", "Only the DRAFT version can be changed.")


def register(registry: OperationRegistry, db: Database, start_build: BuildStarter) -> None:
    _register_locales(registry, db, start_build)
    _register_intents(registry, db)
    _register_slot_types(registry, db)
    _register_slots(registry, db)


def _locale_view(session: Session, ctx: RequestContext, row: LexResource) -> Params:
    place = Place(row.bot_id, row.bot_version, row.resource_id)
    view = {
        "botId": row.bot_id,
        "botVersion": row.bot_version,
        "localeId": row.resource_id,
        "localeName": LOCALES[row.resource_id],
        **row.body,
        "intentsCount": len(store.children(session, ctx, "intent", place)),
        "slotTypesCount": len(store.children(session, ctx, "slot_type", place)),
        **store.stamps(row),
    }
    return view


def _register_locales(registry: OperationRegistry, db: Database, start_build: BuildStarter) -> None:
    @registry.handler(SERVICE, "CreateBotLocale")
    def create_bot_locale(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        locale_id = params["localeId"]
        if locale_id not in LOCALES:
            raise ServiceError(
                "ValidationException",
                f"Locale {locale_id} is not supported; supported: {', '.join(LOCALES)}.",
            )
        place = locale_place(params)
        body = {k: params[k] for k in LOCALE_FIELDS if k in params}
        body["botLocaleStatus"] = "NotBuilt"
        with db.transaction() as session:
            if find_bot(session, ctx, place.bot_id) is None:
                raise store.precondition(f"bot {place.bot_id}")
            if find_locale(session, ctx, place) is not None:
                raise ServiceError("ConflictException", f"Locale {locale_id} already exists.")
            row = store.add(
                session, ctx, "locale", Place(place.bot_id, DRAFT), locale_id, locale_id, body
            )
            fallback = {
                "intentName": "FallbackIntent",
                "description": "Default intent when no other intent matches",
                "parentIntentSignature": "AMAZON.FallbackIntent",
                "slotPriorities": [],
            }
            store.add(session, ctx, "intent", place, FALLBACK_INTENT_ID, "FallbackIntent", fallback)
        view = {k: v for k, v in _locale_view_plain(row).items() if k != "lastUpdatedDateTime"}
        return {**view, "botLocaleStatus": "Creating"}

    @registry.handler(SERVICE, "DescribeBotLocale")
    def describe_bot_locale(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        with db.reading() as session:
            row = find_locale(session, ctx, place)
            if row is None:
                raise store.missing(f"locale {place.locale_id} of bot {place.bot_id}")
            return _locale_view(session, ctx, row)

    @registry.handler(SERVICE, "UpdateBotLocale")
    def update_bot_locale(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction() as session:
            row = require_locale(session, ctx, place)
            body = {k: v for k, v in row.body.items() if k not in LOCALE_FIELDS}
            body.update({k: params[k] for k in LOCALE_FIELDS if k in params})
            store.save(row, body)
            return _locale_view(session, ctx, row)

    @registry.handler(SERVICE, "ListBotLocales")
    def list_bot_locales(ctx: RequestContext, params: Params) -> Params:
        bot_id, version = params["botId"], params["botVersion"]
        with db.reading() as session:
            rows = store.children(session, ctx, "locale", Place(bot_id, version))
        summaries = [
            {
                "localeId": r.resource_id,
                "localeName": LOCALES[r.resource_id],
                "botLocaleStatus": r.body["botLocaleStatus"],
                "lastUpdatedDateTime": r.updated_at,
                **{
                    k: r.body[k]
                    for k in ("description", "lastBuildSubmittedDateTime")
                    if k in r.body
                },
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"locales:{ctx.account_id}:{bot_id}:{version}")
        result = {"botId": bot_id, "botVersion": version, "botLocaleSummaries": items}
        return {**result, **({"nextToken": token} if token else {})}

    @registry.handler(SERVICE, "DeleteBotLocale")
    def delete_bot_locale(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        with db.transaction() as session:
            row = require_locale(session, ctx, place)
            session.delete(row)
            store.remove_below(session, ctx, place)
        return {
            "botId": place.bot_id,
            "botVersion": place.bot_version,
            "localeId": place.locale_id,
            "botLocaleStatus": "Deleting",
        }

    @registry.handler(SERVICE, "BuildBotLocale")
    def build_bot_locale(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        return start_build(ctx, locale_place(params))


def _locale_view_plain(row: LexResource) -> Params:
    return {
        "botId": row.bot_id,
        "botVersion": row.bot_version,
        "localeId": row.resource_id,
        "localeName": LOCALES[row.resource_id],
        **row.body,
        **store.stamps(row),
    }


def _intent_view(row: LexResource) -> Params:
    return {
        "intentId": row.resource_id,
        "botId": row.bot_id,
        "botVersion": row.bot_version,
        "localeId": row.locale_id,
        **row.body,
        **store.stamps(row),
    }


def _check_utterances(
    session: Session, ctx: RequestContext, place: Place, intent_id: str | None, params: Params
) -> None:
    slots = (
        {r.name for r in store.children(session, ctx, "slot", Place(*_parts(place), intent_id))}
        if intent_id
        else set()
    )
    for sample in params.get("sampleUtterances") or []:
        for name in slot_references(sample["utterance"]):
            if name not in slots:
                raise ServiceError(
                    "ValidationException",
                    f"Sample utterance '{sample['utterance']}' references slot {{{name}}}, "
                    f"which intent {params['intentName']} does not have. Create the slot "
                    "first, then add utterances that use it.",
                )


def _parts(place: Place) -> tuple[str, str, str]:
    return place.bot_id, place.bot_version, place.locale_id


def _register_intents(registry: OperationRegistry, db: Database) -> None:
    @registry.handler(SERVICE, "CreateIntent")
    def create_intent(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        if params.get("parentIntentSignature") not in (None, "AMAZON.FallbackIntent"):
            raise ServiceError(
                "ValidationException",
                f"Built-in intent {params['parentIntentSignature']} is not supported.",
            )
        if params.get("parentIntentSignature"):
            raise ServiceError("ConflictException", "The locale already has a FallbackIntent.")
        body = {k: params[k] for k in INTENT_FIELDS if k in params}
        body["slotPriorities"] = []
        with db.transaction() as session:
            mark_changed(session, ctx, place)
            if store.by_name(session, ctx, "intent", place, params["intentName"]):
                raise ServiceError(
                    "ConflictException", f"An intent named {params['intentName']} exists."
                )
            _check_utterances(session, ctx, place, None, params)
            row = store.add(
                session, ctx, "intent", place, store.new_id(), params["intentName"], body
            )
        view = _intent_view(row)
        view.pop("lastUpdatedDateTime")
        view.pop("slotPriorities")
        return view

    @registry.handler(SERVICE, "DescribeIntent")
    def describe_intent(ctx: RequestContext, params: Params) -> Params:
        with db.reading() as session:
            row = store.find(session, ctx, "intent", locale_place(params), params["intentId"])
        if row is None:
            raise store.missing(f"intent {params['intentId']}")
        return _intent_view(row)

    @registry.handler(SERVICE, "UpdateIntent")
    def update_intent(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction() as session:
            mark_changed(session, ctx, place)
            row = store.find(session, ctx, "intent", place, params["intentId"])
            if row is None:
                raise store.precondition(f"intent {params['intentId']}")
            other = store.by_name(session, ctx, "intent", place, params["intentName"])
            if other is not None and other.resource_id != row.resource_id:
                raise ServiceError(
                    "ConflictException", f"An intent named {params['intentName']} exists."
                )
            _check_utterances(session, ctx, place, row.resource_id, params)
            body = {k: params[k] for k in INTENT_FIELDS if k in params}
            body.setdefault("slotPriorities", row.body.get("slotPriorities", []))
            if "parentIntentSignature" in row.body:
                body["parentIntentSignature"] = row.body["parentIntentSignature"]
            store.save(row, body, params["intentName"])
        return _intent_view(row)

    @registry.handler(SERVICE, "ListIntents")
    def list_intents(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        with db.reading() as session:
            rows = store.children(session, ctx, "intent", place)
        keys = ("intentDisplayName", "description", "parentIntentSignature", "inputContexts")
        summaries = [
            {
                "intentId": r.resource_id,
                "intentName": r.name,
                "lastUpdatedDateTime": r.updated_at,
                **{k: r.body[k] for k in (*keys, "outputContexts") if k in r.body},
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"intents:{ctx.account_id}:{_parts(place)}")
        result = {**dict(zip(("botId", "botVersion", "localeId"), _parts(place), strict=True))}
        return {**result, "intentSummaries": items, **({"nextToken": token} if token else {})}

    @registry.handler(SERVICE, "DeleteIntent")
    def delete_intent(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction() as session:
            mark_changed(session, ctx, place)
            row = store.find(session, ctx, "intent", place, params["intentId"])
            if row is None:
                raise store.precondition(f"intent {params['intentId']}")
            if row.resource_id == FALLBACK_INTENT_ID:
                raise ServiceError("ValidationException", "FallbackIntent cannot be deleted.")
            session.delete(row)
            store.remove_below(session, ctx, Place(*_parts(place), row.resource_id))
        return {}


def _slot_type_view(row: LexResource) -> Params:
    return {
        "slotTypeId": row.resource_id,
        "botId": row.bot_id,
        "botVersion": row.bot_version,
        "localeId": row.locale_id,
        **row.body,
        **store.stamps(row),
    }


def _slot_type_body(params: Params) -> Params:
    body = {k: params[k] for k in SLOT_TYPE_FIELDS if k in params}
    if params.get("externalSourceSetting") or params.get("compositeSlotTypeSetting"):
        raise ServiceError(
            "ValidationException", "Grammar and composite slot types are not supported."
        )
    if not body.get("slotTypeValues"):
        raise ServiceError(
            "ValidationException", f"Slot type {params['slotTypeName']} needs slotTypeValues."
        )
    body.setdefault("valueSelectionSetting", {"resolutionStrategy": "OriginalValue"})
    return body


def _register_slot_types(registry: OperationRegistry, db: Database) -> None:
    @registry.handler(SERVICE, "CreateSlotType")
    def create_slot_type(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        body = _slot_type_body(params)
        with db.transaction() as session:
            mark_changed(session, ctx, place)
            if store.by_name(session, ctx, "slot_type", place, params["slotTypeName"]):
                raise ServiceError(
                    "ConflictException", f"A slot type named {params['slotTypeName']} exists."
                )
            row = store.add(
                session, ctx, "slot_type", place, store.new_id(), params["slotTypeName"], body
            )
        view = _slot_type_view(row)
        view.pop("lastUpdatedDateTime")
        return view

    @registry.handler(SERVICE, "DescribeSlotType")
    def describe_slot_type(ctx: RequestContext, params: Params) -> Params:
        with db.reading() as session:
            row = store.find(session, ctx, "slot_type", locale_place(params), params["slotTypeId"])
        if row is None:
            raise store.missing(f"slot type {params['slotTypeId']}")
        return _slot_type_view(row)

    @registry.handler(SERVICE, "UpdateSlotType")
    def update_slot_type(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        body = _slot_type_body(params)
        with db.transaction() as session:
            mark_changed(session, ctx, place)
            row = store.find(session, ctx, "slot_type", place, params["slotTypeId"])
            if row is None:
                raise store.precondition(f"slot type {params['slotTypeId']}")
            store.save(row, body, params["slotTypeName"])
        return _slot_type_view(row)

    @registry.handler(SERVICE, "ListSlotTypes")
    def list_slot_types(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        with db.reading() as session:
            rows = store.children(session, ctx, "slot_type", place)
        summaries = [
            {
                "slotTypeId": r.resource_id,
                "slotTypeName": r.name,
                "lastUpdatedDateTime": r.updated_at,
                "slotTypeCategory": "Custom",
                **({"description": r.body["description"]} if "description" in r.body else {}),
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"types:{ctx.account_id}:{_parts(place)}")
        result = dict(zip(("botId", "botVersion", "localeId"), _parts(place), strict=True))
        return {**result, "slotTypeSummaries": items, **({"nextToken": token} if token else {})}

    @registry.handler(SERVICE, "DeleteSlotType")
    def delete_slot_type(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction() as session:
            mark_changed(session, ctx, place)
            row = store.find(session, ctx, "slot_type", place, params["slotTypeId"])
            if row is None:
                raise store.precondition(f"slot type {params['slotTypeId']}")
            users = [
                s.name
                for s in store.children(session, ctx, "slot", place, exact=False)
                if s.body.get("slotTypeId") == row.resource_id
            ]
            if users and not params.get("skipResourceInUseCheck"):
                raise ServiceError(
                    "PreconditionFailedException",
                    f"Slot type {row.name} is used by slots {', '.join(users)}.",
                )
            session.delete(row)
        return {}


def _slot_view(row: LexResource) -> Params:
    return {
        "slotId": row.resource_id,
        "botId": row.bot_id,
        "botVersion": row.bot_version,
        "localeId": row.locale_id,
        "intentId": row.intent_id,
        **row.body,
        **store.stamps(row),
    }


def _check_slot(session: Session, ctx: RequestContext, place: Place, params: Params) -> Params:
    type_id = params.get("slotTypeId")
    if not type_id:
        raise ServiceError("ValidationException", "slotTypeId is required (sub-slots unsupported).")
    if type_id not in BUILT_IN_SLOT_TYPES and not store.find(
        session, ctx, "slot_type", Place(*_parts(place)), type_id
    ):
        raise store.precondition(f"slot type {type_id}")
    elicitation = params["valueElicitationSetting"]
    if elicitation.get("slotConstraint") == "Required" and not elicitation.get(
        "promptSpecification"
    ):
        raise ServiceError(
            "ValidationException",
            f"Required slot {params['slotName']} needs a promptSpecification to elicit it.",
        )
    return {k: params[k] for k in SLOT_FIELDS if k in params}


def _register_slots(registry: OperationRegistry, db: Database) -> None:
    def intent_of(session: Session, ctx: RequestContext, params: Params) -> LexResource:
        row = store.find(session, ctx, "intent", locale_place(params), params["intentId"])
        if row is None:
            raise store.precondition(f"intent {params['intentId']}")
        return row

    def slot_place(params: Params) -> Place:
        return Place(*_parts(locale_place(params)), params["intentId"])

    @registry.handler(SERVICE, "CreateSlot")
    def create_slot(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = slot_place(params)
        with db.transaction() as session:
            mark_changed(session, ctx, locale_place(params))
            intent = intent_of(session, ctx, params)
            body = _check_slot(session, ctx, place, params)
            if store.by_name(session, ctx, "slot", place, params["slotName"]):
                raise ServiceError(
                    "ConflictException", f"A slot named {params['slotName']} exists."
                )
            slot_id = store.new_id()
            row = store.add(session, ctx, "slot", place, slot_id, params["slotName"], body)
            priorities = list(intent.body.get("slotPriorities", []))
            priorities.append({"priority": len(priorities) + 1, "slotId": slot_id})
            store.save(intent, {**intent.body, "slotPriorities": priorities})
        view = _slot_view(row)
        view.pop("lastUpdatedDateTime")
        return view

    @registry.handler(SERVICE, "DescribeSlot")
    def describe_slot(ctx: RequestContext, params: Params) -> Params:
        with db.reading() as session:
            row = store.find(session, ctx, "slot", slot_place(params), params["slotId"])
        if row is None:
            raise store.missing(f"slot {params['slotId']}")
        return _slot_view(row)

    @registry.handler(SERVICE, "UpdateSlot")
    def update_slot(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = slot_place(params)
        with db.transaction() as session:
            mark_changed(session, ctx, locale_place(params))
            row = store.find(session, ctx, "slot", place, params["slotId"])
            if row is None:
                raise store.precondition(f"slot {params['slotId']}")
            store.save(row, _check_slot(session, ctx, place, params), params["slotName"])
        return _slot_view(row)

    @registry.handler(SERVICE, "ListSlots")
    def list_slots(ctx: RequestContext, params: Params) -> Params:
        place = slot_place(params)
        with db.reading() as session:
            rows = store.children(session, ctx, "slot", place)
        summaries = [
            {
                "slotId": r.resource_id,
                "slotName": r.name,
                "slotTypeId": r.body["slotTypeId"],
                "slotConstraint": r.body["valueElicitationSetting"]["slotConstraint"],
                "lastUpdatedDateTime": r.updated_at,
                **({"description": r.body["description"]} if "description" in r.body else {}),
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"slots:{ctx.account_id}:{place}")
        result: dict[str, Any] = dict(
            zip(("botId", "botVersion", "localeId"), _parts(place), strict=True)
        )
        result["intentId"] = place.intent_id
        return {**result, "slotSummaries": items, **({"nextToken": token} if token else {})}

    @registry.handler(SERVICE, "DeleteSlot")
    def delete_slot(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = slot_place(params)
        with db.transaction() as session:
            mark_changed(session, ctx, locale_place(params))
            row = store.find(session, ctx, "slot", place, params["slotId"])
            if row is None:
                raise store.precondition(f"slot {params['slotId']}")
            intent = intent_of(session, ctx, params)
            kept = [
                p for p in intent.body.get("slotPriorities", []) if p["slotId"] != row.resource_id
            ]
            store.save(intent, {**intent.body, "slotPriorities": kept})
            session.delete(row)
        return {}
