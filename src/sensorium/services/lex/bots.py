"""Bots, versions and aliases (lexv2-models)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import store
from sensorium.services.lex.build import BuildService
from sensorium.services.lex.errors import ConflictException, PreconditionFailedException
from sensorium.services.lex.paging import Lister, ListOperation
from sensorium.services.lex.store import DRAFT, TEST_ALIAS_ID, Place
from sensorium.services.lex.tables import LexModel, LexResource, LexSession
from sensorium.storage.database import Database

SERVICE = "lexv2-models"
BOT_FIELDS = (
    "botName", "description", "roleArn", "dataPrivacy", "idleSessionTTLInSeconds", "botType",
    "botMembers", "errorLogSettings",
)  # fmt: skip
ALIAS_FIELDS = (
    "botAliasName", "description", "botVersion", "botAliasLocaleSettings",
    "conversationLogSettings", "sentimentAnalysisSettings",
)  # fmt: skip
COPIED_KINDS = ("intent", "slot_type", "slot")  # below the locale, which is copied first

BOTS = ListOperation(
    "ListBots",
    sorts={"BotName": LexResource.name},
    filters={
        "BotName": LexResource.name,
        "BotType": LexResource.body["botType"].as_string(),
    },
    default=LexResource.name,
)
# Versions are numbered in creation order, so creation orders them by number.
VERSIONS = ListOperation("ListBotVersions", sorts={"BotVersion": None})
ALIASES = ListOperation("ListBotAliases")


def find_bot(session: Session, bot_id: str) -> LexResource | None:
    return store.find(session, "bot", Place(bot_id), bot_id)


def require_bot(session: Session, bot_id: str) -> LexResource:
    return store.require(session, "bot", Place(bot_id), bot_id, f"bot {bot_id}")


def bot_view(row: LexResource) -> Params:
    return {"botId": row.resource_id, **row.body, "botStatus": "Available", **store.stamps(row)}


def register(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    _register_bots(registry, db, lister, builds)
    _register_versions(registry, db, lister, builds)
    _register_aliases(registry, db, lister)


def _register_bots(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    @registry.handler(SERVICE, "CreateBot")
    def create_bot(ctx: RequestContext, params: Params) -> Params:
        body = {"botType": "Bot", **store.body_of(params, BOT_FIELDS)}
        bot_id = store.new_id()
        with db.transaction(ctx.scope) as session:
            named = select(LexResource.id).where(
                LexResource.kind == "bot", LexResource.name == params["botName"]
            )
            if session.scalars(named).first() is not None:
                raise ConflictException(f"A bot named {params['botName']} already exists.")
            row = store.add(session, "bot", Place(bot_id), bot_id, params["botName"], body)
            alias = {"botAliasName": "TestBotAlias", "botVersion": DRAFT}
            store.add(session, "alias", Place(bot_id), TEST_ALIAS_ID, "TestBotAlias", alias)
        return {**store.created(bot_view(row)), "botStatus": "Creating"}

    @registry.handler(SERVICE, "DescribeBot")
    def describe_bot(ctx: RequestContext, params: Params) -> Params:
        with db.reading(ctx.scope) as session:
            row = find_bot(session, params["botId"])
        if row is None:
            raise store.missing(f"bot {params['botId']}")
        return bot_view(row)

    @registry.handler(SERVICE, "UpdateBot")
    def update_bot(ctx: RequestContext, params: Params) -> Params:
        with db.transaction(ctx.scope) as session:
            row = require_bot(session, params["botId"])
            store.save(row, {**row.body, **store.body_of(params, BOT_FIELDS)}, params["botName"])
        return bot_view(row)

    @registry.handler(SERVICE, "ListBots")
    def list_bots(ctx: RequestContext, params: Params) -> Params:
        query = select(LexResource).where(LexResource.kind == "bot")
        with db.reading(ctx.scope) as session:
            page = lister.page(session, BOTS, query, params)
            versions = _latest_versions(session, [row.bot_id for row in page.items])
        return page.output("botSummaries", lambda row: _bot_summary(row, versions), "nextToken")

    @registry.handler(SERVICE, "DeleteBot")
    def delete_bot(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        with db.transaction(ctx.scope) as session:
            require_bot(session, bot_id)
            builds.cancel_below(session, Place(bot_id))
            store.remove_below(session, Place(bot_id))
            for table in (LexModel, LexSession):
                session.execute(delete(table).where(table.bot_id == bot_id))
        return {"botId": bot_id, "botStatus": "Deleting"}


def _latest_versions(session: Session, bot_ids: list[str]) -> dict[str, str]:
    """The newest version of each of these bots that has one."""
    rows = session.execute(
        select(LexResource.bot_id, LexResource.resource_id)
        .where(LexResource.kind == "version", LexResource.bot_id.in_(bot_ids))
        .order_by(LexResource.id)
    )
    return {bot_id: version for bot_id, version in rows}


def _bot_summary(row: LexResource, versions: dict[str, str]) -> Params:
    return {
        "botId": row.resource_id,
        "botName": row.name,
        "botStatus": "Available",
        "lastUpdatedDateTime": store.stamps(row)["lastUpdatedDateTime"],
        "botType": row.body.get("botType", "Bot"),
        **store.body_of(row.body, ("description",)),
        **({"latestBotVersion": versions[row.bot_id]} if row.bot_id in versions else {}),
    }


def _register_versions(
    registry: OperationRegistry, db: Database, lister: Lister, builds: BuildService
) -> None:
    @registry.handler(SERVICE, "CreateBotVersion")
    def create_bot_version(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        spec: dict[str, Any] = params["botVersionLocaleSpecification"]
        with db.transaction(ctx.scope) as session:
            require_bot(session, bot_id)
            existing = store.children(session, "version", Place(bot_id))
            version = str(max((int(r.resource_id) for r in existing), default=0) + 1)
            for locale_id, source in spec.items():
                _copy_locale(session, bot_id, source["sourceBotVersion"], locale_id, version)
            body = {"description": params.get("description"), "locales": sorted(spec)}
            row = store.add(session, "version", Place(bot_id), version, version, body)
        return {
            "botId": bot_id,
            "botVersion": version,
            "botVersionLocaleSpecification": spec,
            "botStatus": "Versioning",
            "creationDateTime": store.stamps(row)["creationDateTime"],
            **_described(params.get("description")),
        }

    @registry.handler(SERVICE, "DescribeBotVersion")
    def describe_bot_version(ctx: RequestContext, params: Params) -> Params:
        bot_id, version = params["botId"], params["botVersion"]
        with db.reading(ctx.scope) as session:
            bot = find_bot(session, bot_id)
            row = store.find(session, "version", Place(bot_id), version)
        if bot is None or row is None:
            raise store.missing(f"bot {bot_id} version {version}")
        view = store.created({**bot_view(bot), "botVersion": version, **store.stamps(row)})
        return {**view, "description": row.body.get("description")}

    @registry.handler(SERVICE, "ListBotVersions")
    def list_bot_versions(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        query = store.query("version", Place(bot_id))
        with db.reading(ctx.scope) as session:
            bot = find_bot(session, bot_id)
            if bot is None:
                raise store.missing(f"bot {bot_id}")
            page = lister.page(session, VERSIONS, query, params, bot_id)
        output = page.output("botVersionSummaries", _version_summary(bot.name), "nextToken")
        return {"botId": bot_id, **output}

    @registry.handler(SERVICE, "DeleteBotVersion")
    def delete_bot_version(ctx: RequestContext, params: Params) -> Params:
        bot_id, version = params["botId"], params["botVersion"]
        with db.transaction(ctx.scope) as session:
            row = _require_version(session, bot_id, version)
            builds.cancel_below(session, Place(bot_id, version))
            session.delete(row)
            store.remove_below(session, Place(bot_id, version))
            session.execute(
                delete(LexModel).where(LexModel.bot_id == bot_id, LexModel.bot_version == version)
            )
        return {"botId": bot_id, "botVersion": version, "botStatus": "Deleting"}


def _version_summary(bot_name: str) -> Callable[[LexResource], Params]:
    def summary(row: LexResource) -> Params:
        return {
            "botName": bot_name,
            "botVersion": row.resource_id,
            "botStatus": "Available",
            "creationDateTime": store.stamps(row)["creationDateTime"],
            **_described(row.body.get("description")),
        }

    return summary


def _register_aliases(registry: OperationRegistry, db: Database, lister: Lister) -> None:
    @registry.handler(SERVICE, "CreateBotAlias")
    def create_bot_alias(ctx: RequestContext, params: Params) -> Params:
        bot_id, name = params["botId"], params["botAliasName"]
        body = _alias_body(params)
        with db.transaction(ctx.scope) as session:
            require_bot(session, bot_id)
            _check_version(session, bot_id, body["botVersion"])
            store.claim_name(session, "alias", Place(bot_id), "alias", name)
            row = store.add(session, "alias", Place(bot_id), store.new_id(), name, body)
        tags = params.get("tags")
        created = store.created(_alias_view(row))
        return {**created, "botAliasStatus": "Creating", **({"tags": tags} if tags else {})}

    @registry.handler(SERVICE, "DescribeBotAlias")
    def describe_bot_alias(ctx: RequestContext, params: Params) -> Params:
        with db.reading(ctx.scope) as session:
            row = store.find(session, "alias", Place(params["botId"]), params["botAliasId"])
        if row is None:
            raise store.missing(f"alias {params['botAliasId']} of bot {params['botId']}")
        return _alias_view(row)

    @registry.handler(SERVICE, "UpdateBotAlias")
    def update_bot_alias(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        with db.transaction(ctx.scope) as session:
            row = _require_alias(session, bot_id, params["botAliasId"])
            body = _alias_body(params)
            _check_version(session, bot_id, body["botVersion"])
            store.save(row, body, params["botAliasName"])
        return _alias_view(row)

    @registry.handler(SERVICE, "ListBotAliases")
    def list_bot_aliases(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        query = store.query("alias", Place(bot_id))
        with db.reading(ctx.scope) as session:
            page = lister.page(session, ALIASES, query, params, bot_id)
        return {"botId": bot_id, **page.output("botAliasSummaries", _alias_summary, "nextToken")}

    @registry.handler(SERVICE, "DeleteBotAlias")
    def delete_bot_alias(ctx: RequestContext, params: Params) -> Params:
        bot_id, alias_id = params["botId"], params["botAliasId"]
        with db.transaction(ctx.scope) as session:
            session.delete(_require_alias(session, bot_id, alias_id))
        return {"botAliasId": alias_id, "botId": bot_id, "botAliasStatus": "Deleting"}


def _alias_view(row: LexResource) -> Params:
    return {
        "botAliasId": row.resource_id,
        "botId": row.bot_id,
        **row.body,
        "botAliasStatus": "Available",
        **store.stamps(row),
    }


def _alias_summary(row: LexResource) -> Params:
    return {
        "botAliasId": row.resource_id,
        "botAliasName": row.name,
        "botVersion": row.body["botVersion"],
        "botAliasStatus": "Available",
        **store.stamps(row),
        **_described(row.body.get("description")),
    }


def _alias_body(params: Params) -> Params:
    return {"botVersion": DRAFT, **store.body_of(params, ALIAS_FIELDS)}


def _require_alias(session: Session, bot_id: str, alias_id: str) -> LexResource:
    return store.require(
        session, "alias", Place(bot_id), alias_id, f"alias {alias_id} of bot {bot_id}"
    )


def _require_version(session: Session, bot_id: str, version: str) -> LexResource:
    return store.require(
        session, "version", Place(bot_id), version, f"bot {bot_id} version {version}"
    )


def _check_version(session: Session, bot_id: str, version: str) -> None:
    if version != DRAFT:
        _require_version(session, bot_id, version)


def _described(description: str | None) -> Params:
    """A description member, where there is one to show."""
    return {"description": description} if description else {}


def _copy_locale(session: Session, bot_id: str, source: str, locale_id: str, version: str) -> None:
    locale = store.require_locale(session, Place(bot_id, source, locale_id))
    model = session.scalars(
        select(LexModel).filter_by(bot_id=bot_id, bot_version=source, locale_id=locale_id)
    ).first()
    if locale.body.get("botLocaleStatus") != "Built" or model is None:
        raise PreconditionFailedException(
            f"Locale {locale_id} must be built before a version can be created "
            f"(it is {locale.body.get('botLocaleStatus')}).",
        )
    store.add(session, "locale", Place(bot_id, version), locale_id, locale.name, dict(locale.body))
    for kind in COPIED_KINDS:
        for row in store.children(session, kind, Place(bot_id, source, locale_id), exact=False):
            place = Place(bot_id, version, row.locale_id, row.intent_id)
            store.add(session, kind, place, row.resource_id, row.name, dict(row.body))
    session.add(
        LexModel(
            bot_id=bot_id,
            bot_version=version,
            locale_id=locale_id,
            definition=model.definition,
            weights=model.weights,
            built_at=model.built_at,
        )
    )
