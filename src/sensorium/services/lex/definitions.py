"""Bot locales, intents, slot types and slots of a bot's DRAFT version (lexv2-models)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import case, delete
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.models.nlu.augment import slot_references
from sensorium.models.nlu.builtins import RESOLVERS
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import drafts, store
from sensorium.services.lex.bots import SERVICE, require_bot
from sensorium.services.lex.build import BuildService
from sensorium.services.lex.drafts import (
    Change,
    Definition,
    claim_name,
    draft_only,
    listing_key,
    locale_place,
    parent_members,
)
from sensorium.services.lex.errors import (
    ConflictException,
    PreconditionFailedException,
    ValidationException,
)
from sensorium.services.lex.paging import Lister, ListOperation
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
INTENT_SUMMARY_FIELDS = (
    "intentDisplayName", "description", "parentIntentSignature", "inputContexts",
    "outputContexts",
)  # fmt: skip
SLOT_TYPE_FIELDS = (
    "slotTypeName", "description", "slotTypeValues", "valueSelectionSetting",
    "parentSlotTypeSignature", "externalSourceSetting", "compositeSlotTypeSetting",
)  # fmt: skip
SLOT_FIELDS = (
    "slotName", "description", "slotTypeId", "valueElicitationSetting", "obfuscationSetting",
    "multipleValuesSetting", "subSlotSetting",
)  # fmt: skip
FALLBACK_INTENT = {
    "intentName": "FallbackIntent",
    "description": "Default intent when no other intent matches",
    "parentIntentSignature": "AMAZON.FallbackIntent",
}

# The locale's name, as ListBotLocales filters on it.
LOCALE_NAME = case(LOCALES, value=LexResource.resource_id, else_=LexResource.resource_id)
# A locale's row is named by its id, which orders locales as their names do.
LOCALE_LISTING = ListOperation(
    "ListBotLocales",
    sorts={"BotLocaleName": LexResource.name},
    filters={"BotLocaleName": LOCALE_NAME},
)


def register(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    _register_locales(registry, db, lister, builds)
    drafts.register(registry, db, lister, INTENTS, SLOT_TYPES, SLOTS)


# Locales


def _locale_members(row: LexResource) -> Params:
    return {
        **parent_members(Place(row.bot_id, row.bot_version, row.resource_id)),
        "localeName": LOCALES[row.resource_id],
        **row.body,
        **store.stamps(row),
    }


def _locale_view(session: Session, row: LexResource) -> Params:
    place = Place(row.bot_id, row.bot_version, row.resource_id)
    return {
        **_locale_members(row),
        "intentsCount": len(store.children(session, "intent", place)),
        "slotTypesCount": len(store.children(session, "slot_type", place)),
    }


def _locale_summary(row: LexResource) -> Params:
    return {
        "localeId": row.resource_id,
        "localeName": LOCALES[row.resource_id],
        "botLocaleStatus": row.body["botLocaleStatus"],
        "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
        **store.body_of(row.body, ("description", "lastBuildSubmittedDateTime")),
    }


def _new_locale_body(params: Params) -> Params:
    locale_id = params["localeId"]
    if locale_id not in LOCALES:
        raise ValidationException(
            f"Locale {locale_id} is not supported; supported: {', '.join(LOCALES)}.",
        )
    return {**store.body_of(params, LOCALE_FIELDS), "botLocaleStatus": "NotBuilt"}


def _register_locales(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    @registry.handler(SERVICE, "CreateBotLocale")
    def create_bot_locale(ctx: RequestContext, params: Params) -> Params:
        draft_only(params["botVersion"])
        body = _new_locale_body(params)
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            require_bot(session, place.bot_id)
            if store.find_locale(session, place) is not None:
                raise ConflictException(f"Locale {place.locale_id} already exists.")
            where = Place(place.bot_id, DRAFT)
            row = store.add(session, "locale", where, place.locale_id, place.locale_id, body)
            fallback = {**FALLBACK_INTENT, "slotPriorities": []}
            store.add(session, "intent", place, FALLBACK_INTENT_ID, "FallbackIntent", fallback)
        return {**store.created(_locale_members(row)), "botLocaleStatus": "Creating"}

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
        draft_only(params["botVersion"])
        place = locale_place(params)
        with db.transaction(ctx.scope) as session:
            row = store.require_locale(session, place)
            kept = {k: v for k, v in row.body.items() if k not in LOCALE_FIELDS}
            store.save(row, {**kept, **store.body_of(params, LOCALE_FIELDS)})
            return _locale_view(session, row)

    @registry.handler(SERVICE, "ListBotLocales")
    def list_bot_locales(ctx: RequestContext, params: Params) -> Params:
        place = Place(params["botId"], params["botVersion"])
        query = store.query("locale", place)
        with db.reading(ctx.scope) as session:
            page = lister.page(session, LOCALE_LISTING, query, params, listing_key(place))
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
        return {**parent_members(place), "botLocaleStatus": "Deleting"}

    @registry.handler(SERVICE, "BuildBotLocale")
    def build_bot_locale(ctx: RequestContext, params: Params) -> Params:
        draft_only(params["botVersion"])
        return builds.start(ctx, locale_place(params))


# Intents, slot types and slots


def _listing(resource: str, unmatched: tuple[str, ...] = ()) -> ListOperation:
    """List<resource>s: sorted by name or last update, filtered by name (``unmatched``: filters
    nothing here matches)."""
    name = f"{resource}Name"
    return ListOperation(
        f"List{resource}s",
        sorts={name: LexResource.name, "LastUpdatedDateTime": LexResource.updated_at},
        filters={name: LexResource.name, **dict.fromkeys(unmatched)},
    )


# Intents


def _intent_body(params: Params) -> Params:
    return store.body_of(params, INTENT_FIELDS)


def _new_intent_body(params: Params) -> Params:
    parent = params.get("parentIntentSignature")
    if parent not in (None, "AMAZON.FallbackIntent"):
        raise ValidationException(f"Built-in intent {parent} is not supported.")
    if parent:
        raise ConflictException("The locale already has a FallbackIntent.")
    return {**_intent_body(params), "slotPriorities": []}


def _intent_kept(stored: Params, asked: Params) -> Params:
    """An update keeps the slots' priorities unless it gives them, and any built-in parent."""
    body = {"slotPriorities": stored.get("slotPriorities", []), **asked}
    if "parentIntentSignature" in stored:
        body["parentIntentSignature"] = stored["parentIntentSignature"]
    return body


def _utterances_use_own_slots(change: Change) -> None:
    """Sample utterances reference only the intent's slots (a new intent has none yet)."""
    slots: set[str] = set()
    if change.row is not None:
        below = replace(change.place, intent_id=change.row.resource_id)
        slots = {r.name for r in store.children(change.session, "slot", below)}
    for sample in change.params.get("sampleUtterances") or []:
        for name in slot_references(sample["utterance"]):
            if name not in slots:
                raise ValidationException(
                    f"Sample utterance '{sample['utterance']}' references slot {{{name}}}, "
                    f"which intent {change.name} does not have. Create the slot "
                    "first, then add utterances that use it.",
                )


def _intent_summarised(row: LexResource) -> Params:
    return store.body_of(row.body, INTENT_SUMMARY_FIELDS)


def _not_fallback(change: Change) -> None:
    if change.stored.resource_id == FALLBACK_INTENT_ID:
        raise ValidationException("FallbackIntent cannot be deleted.")


def _delete_slots(change: Change) -> None:
    store.remove_below(change.session, replace(change.place, intent_id=change.stored.resource_id))


INTENTS = Definition(
    row_kind="intent",
    resource="Intent",
    noun="intent",
    listing=_listing("Intent"),
    new_body=_new_intent_body,
    body=_intent_body,
    summarised=_intent_summarised,
    creating=(claim_name, _utterances_use_own_slots),
    updating=(claim_name, _utterances_use_own_slots),
    kept=_intent_kept,
    deleting=(_not_fallback, _delete_slots),
    unanswered=("slotPriorities",),
)


# Slot types


def _slot_type_body(params: Params) -> Params:
    body = store.body_of(params, SLOT_TYPE_FIELDS)
    if params.get("externalSourceSetting") or params.get("compositeSlotTypeSetting"):
        raise ValidationException("Grammar and composite slot types are not supported.")
    if not body.get("slotTypeValues"):
        raise ValidationException(f"Slot type {params['slotTypeName']} needs slotTypeValues.")
    body.setdefault("valueSelectionSetting", {"resolutionStrategy": "OriginalValue"})
    return body


def _slot_type_summarised(row: LexResource) -> Params:
    return {"slotTypeCategory": "Custom", **store.body_of(row.body, ("description",))}


def _not_in_use(change: Change) -> None:
    type_id = change.stored.resource_id
    slots = store.children(change.session, "slot", change.place, exact=False)
    users = [slot.name for slot in slots if slot.body.get("slotTypeId") == type_id]
    if users and not change.params.get("skipResourceInUseCheck"):
        raise PreconditionFailedException(
            f"Slot type {change.stored.name} is used by slots {', '.join(users)}.",
        )


SLOT_TYPES = Definition(
    row_kind="slot_type",
    resource="SlotType",
    noun="slot type",
    # Grammar slot types (the only ones with an external source) are refused here.
    listing=_listing("SlotType", unmatched=("ExternalSourceType",)),
    new_body=_slot_type_body,
    body=_slot_type_body,
    summarised=_slot_type_summarised,
    creating=(claim_name,),
    deleting=(_not_in_use,),
)


# Slots


def _slot_place(params: Params) -> Place:
    return replace(locale_place(params), intent_id=params["intentId"])


def _slot_body(params: Params) -> Params:
    return store.body_of(params, SLOT_FIELDS)


def _slot_summarised(row: LexResource) -> Params:
    return {
        "slotTypeId": row.body["slotTypeId"],
        "slotConstraint": row.body["valueElicitationSetting"]["slotConstraint"],
        **store.body_of(row.body, ("description",)),
    }


def _intent_of(change: Change) -> LexResource:
    intent_id = change.params["intentId"]
    where = replace(change.place, intent_id="")
    return store.require(change.session, "intent", where, intent_id, f"intent {intent_id}")


def _intent_exists(change: Change) -> None:
    _intent_of(change)


def _slot_type_usable(change: Change) -> None:
    params = change.params
    type_id = params.get("slotTypeId")
    if not type_id:
        raise ValidationException("slotTypeId is required (sub-slots unsupported).")
    where = replace(change.place, intent_id="")
    if type_id not in BUILT_IN_SLOT_TYPES:
        store.require(change.session, "slot_type", where, type_id, f"slot type {type_id}")
    elicitation = params["valueElicitationSetting"]
    if elicitation.get("slotConstraint") == "Required" and not elicitation.get(
        "promptSpecification"
    ):
        raise ValidationException(
            f"Required slot {change.name} needs a promptSpecification to elicit it.",
        )


def _prioritise(change: Change) -> None:
    """A new slot comes last in its intent's priorities."""
    intent = _intent_of(change)
    priorities = list(intent.body.get("slotPriorities", []))
    priorities.append({"priority": len(priorities) + 1, "slotId": change.stored.resource_id})
    store.save(intent, {**intent.body, "slotPriorities": priorities})


def _unprioritise(change: Change) -> None:
    intent = _intent_of(change)
    slot_id = change.stored.resource_id
    kept = [p for p in intent.body.get("slotPriorities", []) if p["slotId"] != slot_id]
    store.save(intent, {**intent.body, "slotPriorities": kept})


SLOTS = Definition(
    row_kind="slot",
    resource="Slot",
    noun="slot",
    listing=_listing("Slot"),
    new_body=_slot_body,
    body=_slot_body,
    summarised=_slot_summarised,
    place=_slot_place,
    creating=(_intent_exists, _slot_type_usable, claim_name),
    added=(_prioritise,),
    updating=(_slot_type_usable,),
    deleting=(_unprioritise,),
)
