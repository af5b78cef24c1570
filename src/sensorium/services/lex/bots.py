"""Bots, versions and aliases (lexv2-models)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import store
from sensorium.services.lex.paging import page
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
COPIED_KINDS = ("locale", "intent", "slot_type", "slot")


def find_bot(session: Any, ctx: RequestContext, bot_id: str) -> LexResource | None:
    return store.find(session, ctx, "bot", Place(bot_id), bot_id)


def bot_view(row: LexResource) -> Params:
    return {"botId": row.resource_id, **row.body, "botStatus": "Available", **store.stamps(row)}


def register(registry: OperationRegistry, db: Database) -> None:
    @registry.handler(SERVICE, "CreateBot")
    def create_bot(ctx: RequestContext, params: Params) -> Params:
        body = {k: params[k] for k in BOT_FIELDS if k in params}
        body.setdefault("botType", "Bot")
        bot_id = store.new_id()
        with db.transaction() as session:
            if any(
                row.name == params["botName"]
                for row in session.query(LexResource).filter_by(
                    account_id=ctx.account_id, region=ctx.region, kind="bot"
                )
            ):
                raise ServiceError(
                    "ConflictException", f"A bot named {params['botName']} already exists."
                )
            row = store.add(session, ctx, "bot", Place(bot_id), bot_id, params["botName"], body)
            alias = {"botAliasName": "TestBotAlias", "botVersion": DRAFT}
            store.add(session, ctx, "alias", Place(bot_id), TEST_ALIAS_ID, "TestBotAlias", alias)
        view = bot_view(row)
        view.pop("lastUpdatedDateTime")
        return {**view, "botStatus": "Creating"}

    @registry.handler(SERVICE, "DescribeBot")
    def describe_bot(ctx: RequestContext, params: Params) -> Params:
        with db.reading() as session:
            row = find_bot(session, ctx, params["botId"])
        if row is None:
            raise store.missing(f"bot {params['botId']}")
        return bot_view(row)

    @registry.handler(SERVICE, "UpdateBot")
    def update_bot(ctx: RequestContext, params: Params) -> Params:
        with db.transaction() as session:
            row = find_bot(session, ctx, params["botId"])
            if row is None:
                raise store.precondition(f"bot {params['botId']}")
            body = {**row.body, **{k: params[k] for k in BOT_FIELDS if k in params}}
            store.save(row, body, params["botName"])
        return bot_view(row)

    @registry.handler(SERVICE, "ListBots")
    def list_bots(ctx: RequestContext, params: Params) -> Params:
        with db.reading() as session:
            rows = list(
                session.query(LexResource)
                .filter_by(account_id=ctx.account_id, region=ctx.region, kind="bot")
                .order_by(LexResource.name)
            )
            versions = {
                row.bot_id: row.resource_id
                for row in session.query(LexResource)
                .filter_by(account_id=ctx.account_id, region=ctx.region, kind="version")
                .order_by(LexResource.id)
            }
        rows = [r for r in rows if _matches(r.name, params.get("filters") or [])]
        if (params.get("sortBy") or {}).get("order") == "Descending":
            rows.reverse()
        summaries = [
            {
                "botId": r.resource_id,
                "botName": r.name,
                "botStatus": "Available",
                "lastUpdatedDateTime": r.updated_at,
                "botType": r.body.get("botType", "Bot"),
                **({"description": r.body["description"]} if "description" in r.body else {}),
                **({"latestBotVersion": versions[r.bot_id]} if r.bot_id in versions else {}),
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"bots:{ctx.account_id}:{ctx.region}")
        return {"botSummaries": items, **({"nextToken": token} if token else {})}

    @registry.handler(SERVICE, "DeleteBot")
    def delete_bot(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        with db.transaction() as session:
            if find_bot(session, ctx, bot_id) is None:
                raise store.precondition(f"bot {bot_id}")
            store.remove_below(session, ctx, Place(bot_id))
            for table in (LexModel, LexSession):
                session.execute(
                    delete(table).where(
                        table.account_id == ctx.account_id,
                        table.region == ctx.region,
                        table.bot_id == bot_id,
                    )
                )
        return {"botId": bot_id, "botStatus": "Deleting"}

    @registry.handler(SERVICE, "CreateBotVersion")
    def create_bot_version(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        spec: dict[str, Any] = params["botVersionLocaleSpecification"]
        with db.transaction() as session:
            if find_bot(session, ctx, bot_id) is None:
                raise store.precondition(f"bot {bot_id}")
            existing = store.children(session, ctx, "version", Place(bot_id))
            version = str(max((int(r.resource_id) for r in existing), default=0) + 1)
            for locale_id, source in spec.items():
                _copy_locale(session, ctx, bot_id, source["sourceBotVersion"], locale_id, version)
            body = {"description": params.get("description"), "locales": sorted(spec)}
            row = store.add(session, ctx, "version", Place(bot_id), version, version, body)
        return {
            "botId": bot_id,
            "botVersion": version,
            "botVersionLocaleSpecification": spec,
            "botStatus": "Versioning",
            "creationDateTime": row.created_at,
            **({"description": params["description"]} if params.get("description") else {}),
        }

    @registry.handler(SERVICE, "DescribeBotVersion")
    def describe_bot_version(ctx: RequestContext, params: Params) -> Params:
        bot_id, version = params["botId"], params["botVersion"]
        with db.reading() as session:
            bot = find_bot(session, ctx, bot_id)
            row = store.find(session, ctx, "version", Place(bot_id), version)
        if bot is None or row is None:
            raise store.missing(f"bot {bot_id} version {version}")
        view = {**bot_view(bot), "botVersion": version, "creationDateTime": row.created_at}
        view.pop("lastUpdatedDateTime")
        view["description"] = row.body.get("description")
        return view

    @registry.handler(SERVICE, "ListBotVersions")
    def list_bot_versions(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        with db.reading() as session:
            bot = find_bot(session, ctx, bot_id)
            rows = store.children(session, ctx, "version", Place(bot_id))
        if bot is None:
            raise store.missing(f"bot {bot_id}")
        summaries = [
            {
                "botName": bot.name,
                "botVersion": r.resource_id,
                "botStatus": "Available",
                "creationDateTime": r.created_at,
                **({"description": r.body["description"]} if r.body.get("description") else {}),
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"versions:{ctx.account_id}:{bot_id}")
        return {"botId": bot_id, "botVersionSummaries": items, **_token(token)}

    @registry.handler(SERVICE, "DeleteBotVersion")
    def delete_bot_version(ctx: RequestContext, params: Params) -> Params:
        bot_id, version = params["botId"], params["botVersion"]
        with db.transaction() as session:
            row = store.find(session, ctx, "version", Place(bot_id), version)
            if row is None:
                raise store.precondition(f"bot {bot_id} version {version}")
            session.delete(row)
            store.remove_below(session, ctx, Place(bot_id, version))
            session.execute(
                delete(LexModel).where(
                    LexModel.account_id == ctx.account_id,
                    LexModel.region == ctx.region,
                    LexModel.bot_id == bot_id,
                    LexModel.bot_version == version,
                )
            )
        return {"botId": bot_id, "botVersion": version, "botStatus": "Deleting"}

    @registry.handler(SERVICE, "CreateBotAlias")
    def create_bot_alias(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        body = {k: params[k] for k in ALIAS_FIELDS if k in params}
        body.setdefault("botVersion", DRAFT)
        with db.transaction() as session:
            if find_bot(session, ctx, bot_id) is None:
                raise store.precondition(f"bot {bot_id}")
            _check_version(session, ctx, bot_id, body["botVersion"])
            if store.by_name(session, ctx, "alias", Place(bot_id), params["botAliasName"]):
                raise ServiceError(
                    "ConflictException", f"An alias named {params['botAliasName']} exists."
                )
            alias_id = store.new_id()
            row = store.add(
                session, ctx, "alias", Place(bot_id), alias_id, params["botAliasName"], body
            )
        view = _alias_view(row)
        view.pop("lastUpdatedDateTime")
        return {**view, "botAliasStatus": "Creating", **_tags(params.get("tags"))}

    @registry.handler(SERVICE, "DescribeBotAlias")
    def describe_bot_alias(ctx: RequestContext, params: Params) -> Params:
        with db.reading() as session:
            row = store.find(session, ctx, "alias", Place(params["botId"]), params["botAliasId"])
        if row is None:
            raise store.missing(f"alias {params['botAliasId']} of bot {params['botId']}")
        return _alias_view(row)

    @registry.handler(SERVICE, "UpdateBotAlias")
    def update_bot_alias(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        with db.transaction() as session:
            row = store.find(session, ctx, "alias", Place(bot_id), params["botAliasId"])
            if row is None:
                raise store.precondition(f"alias {params['botAliasId']} of bot {bot_id}")
            body = {k: params[k] for k in ALIAS_FIELDS if k in params}
            body.setdefault("botVersion", DRAFT)
            _check_version(session, ctx, bot_id, body["botVersion"])
            store.save(row, body, params["botAliasName"])
        return _alias_view(row)

    @registry.handler(SERVICE, "ListBotAliases")
    def list_bot_aliases(ctx: RequestContext, params: Params) -> Params:
        bot_id = params["botId"]
        with db.reading() as session:
            rows = store.children(session, ctx, "alias", Place(bot_id))
        summaries = [
            {
                "botAliasId": r.resource_id,
                "botAliasName": r.name,
                "botVersion": r.body["botVersion"],
                "botAliasStatus": "Available",
                **store.stamps(r),
                **({"description": r.body["description"]} if r.body.get("description") else {}),
            }
            for r in rows
        ]
        items, token = page(summaries, params, f"aliases:{ctx.account_id}:{bot_id}")
        return {"botId": bot_id, "botAliasSummaries": items, **_token(token)}

    @registry.handler(SERVICE, "DeleteBotAlias")
    def delete_bot_alias(ctx: RequestContext, params: Params) -> Params:
        bot_id, alias_id = params["botId"], params["botAliasId"]
        with db.transaction() as session:
            row = store.find(session, ctx, "alias", Place(bot_id), alias_id)
            if row is None:
                raise store.precondition(f"alias {alias_id} of bot {bot_id}")
            session.delete(row)
        return {"botAliasId": alias_id, "botId": bot_id, "botAliasStatus": "Deleting"}


def _alias_view(row: LexResource) -> Params:
    return {
        "botAliasId": row.resource_id,
        "botId": row.bot_id,
        **row.body,
        "botAliasStatus": "Available",
        **store.stamps(row),
    }


def _check_version(session: Any, ctx: RequestContext, bot_id: str, version: str) -> None:
    if version != DRAFT and store.find(session, ctx, "version", Place(bot_id), version) is None:
        raise store.precondition(f"bot {bot_id} version {version}")


def _copy_locale(
    session: Any, ctx: RequestContext, bot_id: str, source: str, locale_id: str, version: str
) -> None:
    locale = store.find(session, ctx, "locale", Place(bot_id, source), locale_id)
    if locale is None:
        raise store.precondition(f"locale {locale_id} of bot {bot_id} version {source}")
    model = (
        session.query(LexModel)
        .filter_by(
            account_id=ctx.account_id,
            region=ctx.region,
            bot_id=bot_id,
            bot_version=source,
            locale_id=locale_id,
        )
        .first()
    )
    if locale.body.get("botLocaleStatus") != "Built" or model is None:
        raise ServiceError(
            "PreconditionFailedException",
            f"Locale {locale_id} must be built before a version can be created "
            f"(it is {locale.body.get('botLocaleStatus')}).",
        )
    for kind in COPIED_KINDS:
        for row in store.children(
            session, ctx, kind, Place(bot_id, source, locale_id), exact=False
        ):
            place = Place(bot_id, version, row.locale_id, row.intent_id)
            store.add(session, ctx, kind, place, row.resource_id, row.name, dict(row.body))
    session.add(
        LexModel(
            account_id=ctx.account_id,
            region=ctx.region,
            bot_id=bot_id,
            bot_version=version,
            locale_id=locale_id,
            definition=model.definition,
            weights=model.weights,
            built_at=model.built_at,
        )
    )


def _matches(name: str, filters: list[dict[str, Any]]) -> bool:
    for item in filters:
        values = [v.lower() for v in item.get("values", [])]
        operator = item.get("operator")
        lowered = name.lower()
        if operator == "EQ" and lowered not in values:
            return False
        if operator == "CO" and not any(v in lowered for v in values):
            return False
        if operator == "NCO" and any(v in lowered for v in values):
            return False
    return True


def _token(token: str | None) -> Params:
    return {"nextToken": token} if token else {}


def _tags(tags: dict[str, str] | None) -> Params:
    return {"tags": tags} if tags else {}
