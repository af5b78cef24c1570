"""Bot locales, intents, slot types and slots of a bot's DRAFT version (lexv2-models)."""

from __future__ import annotations

from sqlalchemy import case, delete
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.models.nlu.augment import slot_references
from sensorium.models.nlu.builtins import RESOLVERS
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import store
from sensorium.services.lex.bots import SERVICE, find_bot
from sensorium.services.lex.build import BuildService
from sensorium.services.lex.errors import (
    ConflictException,
    PreconditionFailedException,
    ValidationException,
)
from sensorium.services.lex.paging import Lister, Listing
from sensorium.services.lex.store import DRAFT, FALLBACK_INTENT_ID, Place
from sensorium.services.lex.tables import LexModel, LexResource
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

# The locale's name, as ListBotLocales filters on it.
LOCALE_NAME = case(LOCALES, value=LexResource.resource_id, else_=LexResource.resource_id)
# A locale's row is named by its id, which orders locales as their names do.
LOCALE_LISTING = Listing(
    "ListBotLocales",
    sorts={"BotLocaleName": LexResource.name},
    filters={"BotLocaleName": LOCALE_NAME},
)
INTENTS = Listing(
    "ListIntents",
    sorts={"IntentName": LexResource.name, "LastUpdatedDateTime": LexResource.updated_at},
    filters={"IntentName": LexResource.name},
)
SLOT_TYPES = Listing(
    "ListSlotTypes",
    sorts={"SlotTypeName": LexResource.name, "LastUpdatedDateTime": LexResource.updated_at},
    # Grammar slot types (the only ones with an external source) are refused here.
    filters={"SlotTypeName": LexResource.name, "ExternalSourceType": None},
)
SLOTS = Listing(
    "ListSlots",
    sorts={"SlotName": LexResource.name, "LastUpdatedDateTime": LexResource.updated_at},
    filters={"SlotName": LexResource.name},
)


def locale_place(params: Params) -> Place:
    return Place(params["botId"], params["botVersion"], params["localeId"])


def mark_changed(session: Session, place: Place) -> None:
    """A definition changed: the locale needs building again (its old model keeps serving)."""
    if place.bot_version != DRAFT:
        raise ValidationException("Only the DRAFT version can be changed.")
    locale = store.require_locale(session, place)
    if locale.body.get("botLocaleStatus") in ("Built", "Failed"):
        store.save(locale, {**locale.body, "botLocaleStatus": "NotBuilt"})


def _key(place: Place) -> str:
    """The parent of a listing, as its token is bound to it."""
    return "/".join((place.bot_id, place.bot_version, place.locale_id, place.intent_id))


def _where(place: Place) -> Params:
    return {"botId": place.bot_id, "botVersion": place.bot_version, "localeId": place.locale_id}


def _draft_only(params: Params) -> None:
    if params["botVersion"] != DRAFT:
        raise ValidationException("Only the DRAFT version can be changed.")


def register(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    _register_locales(registry, db, lister, builds)
    _register_intents(registry, db, lister)
    _register_slot_types(registry, db, lister)
    _register_slots(registry, db, lister)


def _locale_view(session: Session, row: LexResource) -> Params:
    place = Place(row.bot_id, row.bot_version, row.resource_id)
    view = {
        "botId": row.bot_id,
        "botVersion": row.bot_version,
        "localeId": row.resource_id,
        "localeName": LOCALES[row.resource_id],
        **row.body,
        "intentsCount": len(store.children(session, "intent", place)),
        "slotTypesCount": len(store.children(session, "slot_type", place)),
        **store.stamps(row),
    }
    return view


def _register_locales(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    @registry.handler(SERVICE, "CreateBotLocale")
    def create_bot_locale(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        locale_id = params["localeId"]
        if locale_id not in LOCALES:
            raise ValidationException(
                f"Locale {locale_id} is not supported; supported: {', '.join(LOCALES)}.",
            )
        place = locale_place(params)
        body = {k: params[k] for k in LOCALE_FIELDS if k in params}
        body["botLocaleStatus"] = "NotBuilt"
        with db.transaction(ctx.scope) as session:
            if find_bot(session, place.bot_id) is None:
                raise store.precondition(f"bot {place.bot_id}")
            if store.find_locale(session, place) is not None:
                raise ConflictException(f"Locale {locale_id} already exists.")
            row = store.add(
                session, "locale", Place(place.bot_id, DRAFT), locale_id, locale_id, body
            )
            fallback = {
                "intentName": "FallbackIntent",
                "description": "Default intent when no other intent matches",
                "parentIntentSignature": "AMAZON.FallbackIntent",
                "slotPriorities": [],
            }
            store.add(session, "intent", place, FALLBACK_INTENT_ID, "FallbackIntent", fallback)
        view = {k: v for k, v in _locale_view_plain(row).items() if k != "lastUpdatedDateTime"}
        return {**view, "botLocaleStatus": "Creating"}

    @registry.handler(SERVICE, "DescribeBotLocale")
    def describe_bot_locale(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        with db.reading(ctx.scope) as session:
            row = store.find_locale(session, place)
            if row is None:
                raise store.missing(f"locale {place.locale_id} of bot {place.bot_id}")
            return _locale_view(session, row)

    @registry.handler(SERVICE, "UpdateBotLocale")
    def update_bot_locale(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            row = store.require_locale(session, place)
            body = {k: v for k, v in row.body.items() if k not in LOCALE_FIELDS}
            body.update({k: params[k] for k in LOCALE_FIELDS if k in params})
            store.save(row, body)
            return _locale_view(session, row)

    @registry.handler(SERVICE, "ListBotLocales")
    def list_bot_locales(ctx: RequestContext, params: Params) -> Params:
        place = Place(params["botId"], params["botVersion"])
        query = store.query("locale", place)
        with db.reading(ctx.scope) as session:
            page = lister.page(session, LOCALE_LISTING, query, params, ctx.scope, _key(place))
        output = page.output("botLocaleSummaries", _locale_summary, "nextToken")
        return {"botId": place.bot_id, "botVersion": place.bot_version, **output}

    @registry.handler(SERVICE, "DeleteBotLocale")
    def delete_bot_locale(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            row = store.require_locale(session, place)
            builds.cancel_below(session, place)
            session.delete(row)
            store.remove_below(session, place)
            session.execute(
                delete(LexModel).filter_by(
                    bot_id=place.bot_id, bot_version=place.bot_version, locale_id=place.locale_id
                )
            )
        return {
            "botId": place.bot_id,
            "botVersion": place.bot_version,
            "localeId": place.locale_id,
            "botLocaleStatus": "Deleting",
        }

    @registry.handler(SERVICE, "BuildBotLocale")
    def build_bot_locale(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        return builds.start(ctx, locale_place(params))


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
    session: Session, place: Place, intent_id: str | None, params: Params
) -> None:
    slots = (
        {r.name for r in store.children(session, "slot", Place(*_parts(place), intent_id))}
        if intent_id
        else set()
    )
    for sample in params.get("sampleUtterances") or []:
        for name in slot_references(sample["utterance"]):
            if name not in slots:
                raise ValidationException(
                    f"Sample utterance '{sample['utterance']}' references slot {{{name}}}, "
                    f"which intent {params['intentName']} does not have. Create the slot "
                    "first, then add utterances that use it.",
                )


def _parts(place: Place) -> tuple[str, str, str]:
    return place.bot_id, place.bot_version, place.locale_id


def _register_intents(registry: OperationRegistry, db: Database, lister: Lister) -> None:
    @registry.handler(SERVICE, "CreateIntent")
    def create_intent(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        if params.get("parentIntentSignature") not in (None, "AMAZON.FallbackIntent"):
            raise ValidationException(
                f"Built-in intent {params['parentIntentSignature']} is not supported.",
            )
        if params.get("parentIntentSignature"):
            raise ConflictException("The locale already has a FallbackIntent.")
        body = {k: params[k] for k in INTENT_FIELDS if k in params}
        body["slotPriorities"] = []
        with db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            if store.by_name(session, "intent", place, params["intentName"]):
                raise ConflictException(f"An intent named {params['intentName']} exists.")
            _check_utterances(session, place, None, params)
            row = store.add(session, "intent", place, store.new_id(), params["intentName"], body)
        view = _intent_view(row)
        view.pop("lastUpdatedDateTime")
        view.pop("slotPriorities")
        return view

    @registry.handler(SERVICE, "DescribeIntent")
    def describe_intent(ctx: RequestContext, params: Params) -> Params:
        with db.reading(ctx.scope) as session:
            row = store.find(session, "intent", locale_place(params), params["intentId"])
        if row is None:
            raise store.missing(f"intent {params['intentId']}")
        return _intent_view(row)

    @registry.handler(SERVICE, "UpdateIntent")
    def update_intent(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            row = store.find(session, "intent", place, params["intentId"])
            if row is None:
                raise store.precondition(f"intent {params['intentId']}")
            other = store.by_name(session, "intent", place, params["intentName"])
            if other is not None and other.resource_id != row.resource_id:
                raise ConflictException(f"An intent named {params['intentName']} exists.")
            _check_utterances(session, place, row.resource_id, params)
            body = {k: params[k] for k in INTENT_FIELDS if k in params}
            body.setdefault("slotPriorities", row.body.get("slotPriorities", []))
            if "parentIntentSignature" in row.body:
                body["parentIntentSignature"] = row.body["parentIntentSignature"]
            store.save(row, body, params["intentName"])
        return _intent_view(row)

    @registry.handler(SERVICE, "ListIntents")
    def list_intents(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        query = store.query("intent", place)
        with db.reading(ctx.scope) as session:
            page = lister.page(session, INTENTS, query, params, ctx.scope, _key(place))
        return {**_where(place), **page.output("intentSummaries", _intent_summary, "nextToken")}

    @registry.handler(SERVICE, "DeleteIntent")
    def delete_intent(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            row = store.find(session, "intent", place, params["intentId"])
            if row is None:
                raise store.precondition(f"intent {params['intentId']}")
            if row.resource_id == FALLBACK_INTENT_ID:
                raise ValidationException("FallbackIntent cannot be deleted.")
            session.delete(row)
            store.remove_below(session, Place(*_parts(place), row.resource_id))
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
        raise ValidationException("Grammar and composite slot types are not supported.")
    if not body.get("slotTypeValues"):
        raise ValidationException(f"Slot type {params['slotTypeName']} needs slotTypeValues.")
    body.setdefault("valueSelectionSetting", {"resolutionStrategy": "OriginalValue"})
    return body


def _register_slot_types(registry: OperationRegistry, db: Database, lister: Lister) -> None:
    @registry.handler(SERVICE, "CreateSlotType")
    def create_slot_type(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        body = _slot_type_body(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            if store.by_name(session, "slot_type", place, params["slotTypeName"]):
                raise ConflictException(f"A slot type named {params['slotTypeName']} exists.")
            row = store.add(
                session, "slot_type", place, store.new_id(), params["slotTypeName"], body
            )
        view = _slot_type_view(row)
        view.pop("lastUpdatedDateTime")
        return view

    @registry.handler(SERVICE, "DescribeSlotType")
    def describe_slot_type(ctx: RequestContext, params: Params) -> Params:
        with db.reading(ctx.scope) as session:
            row = store.find(session, "slot_type", locale_place(params), params["slotTypeId"])
        if row is None:
            raise store.missing(f"slot type {params['slotTypeId']}")
        return _slot_type_view(row)

    @registry.handler(SERVICE, "UpdateSlotType")
    def update_slot_type(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        body = _slot_type_body(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            row = store.find(session, "slot_type", place, params["slotTypeId"])
            if row is None:
                raise store.precondition(f"slot type {params['slotTypeId']}")
            store.save(row, body, params["slotTypeName"])
        return _slot_type_view(row)

    @registry.handler(SERVICE, "ListSlotTypes")
    def list_slot_types(ctx: RequestContext, params: Params) -> Params:
        place = locale_place(params)
        query = store.query("slot_type", place)
        with db.reading(ctx.scope) as session:
            page = lister.page(session, SLOT_TYPES, query, params, ctx.scope, _key(place))
        output = page.output("slotTypeSummaries", _slot_type_summary, "nextToken")
        return {**_where(place), **output}

    @registry.handler(SERVICE, "DeleteSlotType")
    def delete_slot_type(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, place)
            row = store.find(session, "slot_type", place, params["slotTypeId"])
            if row is None:
                raise store.precondition(f"slot type {params['slotTypeId']}")
            users = [
                s.name
                for s in store.children(session, "slot", place, exact=False)
                if s.body.get("slotTypeId") == row.resource_id
            ]
            if users and not params.get("skipResourceInUseCheck"):
                raise PreconditionFailedException(
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


def _check_slot(session: Session, place: Place, params: Params) -> Params:
    type_id = params.get("slotTypeId")
    if not type_id:
        raise ValidationException("slotTypeId is required (sub-slots unsupported).")
    if type_id not in BUILT_IN_SLOT_TYPES and not store.find(
        session, "slot_type", Place(*_parts(place)), type_id
    ):
        raise store.precondition(f"slot type {type_id}")
    elicitation = params["valueElicitationSetting"]
    if elicitation.get("slotConstraint") == "Required" and not elicitation.get(
        "promptSpecification"
    ):
        raise ValidationException(
            f"Required slot {params['slotName']} needs a promptSpecification to elicit it.",
        )
    return {k: params[k] for k in SLOT_FIELDS if k in params}


def _register_slots(registry: OperationRegistry, db: Database, lister: Lister) -> None:
    def intent_of(session: Session, params: Params) -> LexResource:
        row = store.find(session, "intent", locale_place(params), params["intentId"])
        if row is None:
            raise store.precondition(f"intent {params['intentId']}")
        return row

    def slot_place(params: Params) -> Place:
        return Place(*_parts(locale_place(params)), params["intentId"])

    @registry.handler(SERVICE, "CreateSlot")
    def create_slot(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = slot_place(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, locale_place(params))
            intent = intent_of(session, params)
            body = _check_slot(session, place, params)
            if store.by_name(session, "slot", place, params["slotName"]):
                raise ConflictException(f"A slot named {params['slotName']} exists.")
            slot_id = store.new_id()
            row = store.add(session, "slot", place, slot_id, params["slotName"], body)
            priorities = list(intent.body.get("slotPriorities", []))
            priorities.append({"priority": len(priorities) + 1, "slotId": slot_id})
            store.save(intent, {**intent.body, "slotPriorities": priorities})
        view = _slot_view(row)
        view.pop("lastUpdatedDateTime")
        return view

    @registry.handler(SERVICE, "DescribeSlot")
    def describe_slot(ctx: RequestContext, params: Params) -> Params:
        with db.reading(ctx.scope) as session:
            row = store.find(session, "slot", slot_place(params), params["slotId"])
        if row is None:
            raise store.missing(f"slot {params['slotId']}")
        return _slot_view(row)

    @registry.handler(SERVICE, "UpdateSlot")
    def update_slot(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = slot_place(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, locale_place(params))
            row = store.find(session, "slot", place, params["slotId"])
            if row is None:
                raise store.precondition(f"slot {params['slotId']}")
            store.save(row, _check_slot(session, place, params), params["slotName"])
        return _slot_view(row)

    @registry.handler(SERVICE, "ListSlots")
    def list_slots(ctx: RequestContext, params: Params) -> Params:
        place = slot_place(params)
        query = store.query("slot", place)
        with db.reading(ctx.scope) as session:
            page = lister.page(session, SLOTS, query, params, ctx.scope, _key(place))
        output = page.output("slotSummaries", _slot_summary, "nextToken")
        return {**_where(place), "intentId": place.intent_id, **output}

    @registry.handler(SERVICE, "DeleteSlot")
    def delete_slot(ctx: RequestContext, params: Params) -> Params:
        _draft_only(params)
        place = slot_place(params)
        with db.transaction(ctx.scope) as session:
            mark_changed(session, locale_place(params))
            row = store.find(session, "slot", place, params["slotId"])
            if row is None:
                raise store.precondition(f"slot {params['slotId']}")
            intent = intent_of(session, params)
            kept = [
                p for p in intent.body.get("slotPriorities", []) if p["slotId"] != row.resource_id
            ]
            store.save(intent, {**intent.body, "slotPriorities": kept})
            session.delete(row)
        return {}


def _locale_summary(row: LexResource) -> Params:
    return {
        "localeId": row.resource_id,
        "localeName": LOCALES[row.resource_id],
        "botLocaleStatus": row.body["botLocaleStatus"],
        "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
        **{k: row.body[k] for k in ("description", "lastBuildSubmittedDateTime") if k in row.body},
    }


def _intent_summary(row: LexResource) -> Params:
    keys = (
        "intentDisplayName", "description", "parentIntentSignature", "inputContexts",
        "outputContexts",
    )  # fmt: skip
    return {
        "intentId": row.resource_id,
        "intentName": row.name,
        "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
        **{k: row.body[k] for k in keys if k in row.body},
    }


def _slot_type_summary(row: LexResource) -> Params:
    return {
        "slotTypeId": row.resource_id,
        "slotTypeName": row.name,
        "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
        "slotTypeCategory": "Custom",
        **({"description": row.body["description"]} if "description" in row.body else {}),
    }


def _slot_summary(row: LexResource) -> Params:
    return {
        "slotId": row.resource_id,
        "slotName": row.name,
        "slotTypeId": row.body["slotTypeId"],
        "slotConstraint": row.body["valueElicitationSetting"]["slotConstraint"],
        "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
        **({"description": row.body["description"]} if "description" in row.body else {}),
    }
