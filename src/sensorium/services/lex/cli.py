"""``sensorium bots import FILE`` and ``sensorium bots chat BOT``, through a running server.

The bot file (JSON, or YAML when PyYAML is installed) is a compact bot definition, turned into
the same lexv2-models calls any client would make; see examples/order-flowers.json.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

from sensorium.client import client, default_endpoint

ROLE = "arn:aws:iam::000000000000:role/sensorium-lex"


def add_commands(commands: Any) -> None:
    bots = commands.add_parser("bots", help="import Lex bots and chat with them")
    sub = bots.add_subparsers(dest="bots_command", required=True)
    load = sub.add_parser("import", help="create and build a bot from a JSON/YAML definition")
    load.add_argument("file", type=Path)
    _connection_options(load)
    load.set_defaults(run=import_command)
    chat = sub.add_parser("chat", help="talk to a bot in the terminal")
    chat.add_argument("bot", help="bot name or id")
    chat.add_argument("--alias", default="TSTALIASID")
    chat.add_argument("--locale", default="en_US")
    _connection_options(chat)
    chat.set_defaults(run=chat_command)


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", default=default_endpoint())
    parser.add_argument("--data-dir", type=Path, default=None, help="server's data dir (keys)")


def read_definition(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml  # type: ignore[import-untyped]

        loaded: dict[str, Any] = yaml.safe_load(text)
        return loaded
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def _messages(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    return {"messageGroups": [{"message": {"plainTextMessage": {"value": text}}}]}


def create(lex: Any, definition: dict[str, Any]) -> tuple[str, str]:
    """Create the bot with lexv2-models calls; returns (bot id, locale id)."""
    bot_id = lex.create_bot(
        botName=definition["name"],
        description=definition.get("description", ""),
        roleArn=ROLE,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=int(definition.get("idleSessionTTLInSeconds", 300)),
    )["botId"]
    locale = definition.get("locale", "en_US")
    where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": locale}
    lex.create_bot_locale(
        **where,
        nluIntentConfidenceThreshold=float(definition.get("confidenceThreshold", 0.4)),
        voiceSettings={"voiceId": definition.get("voice", "Joanna")},
    )
    types = {}
    for slot_type in definition.get("slotTypes", []):
        values = [
            {
                "sampleValue": {"value": v["value"]},
                **(
                    {"synonyms": [{"value": s} for s in v["synonyms"]]} if v.get("synonyms") else {}
                ),
            }
            for v in slot_type["values"]
        ]
        types[slot_type["name"]] = lex.create_slot_type(
            **where,
            slotTypeName=slot_type["name"],
            slotTypeValues=values,
            valueSelectionSetting={
                "resolutionStrategy": slot_type.get("resolution", "OriginalValue")
            },
        )["slotTypeId"]
    for intent in definition["intents"]:
        _create_intent(lex, where, intent, types)
    return bot_id, locale


def _create_intent(
    lex: Any, where: dict[str, str], intent: dict[str, Any], types: dict[str, str]
) -> None:
    intent_id = lex.create_intent(**where, intentName=intent["name"])["intentId"]
    priorities = []
    for number, slot in enumerate(intent.get("slots", []), start=1):
        elicitation: dict[str, Any] = {
            "slotConstraint": "Required" if slot.get("required", True) else "Optional"
        }
        if slot.get("prompt"):
            elicitation["promptSpecification"] = {**_messages(slot["prompt"]), "maxRetries": 2}  # type: ignore[dict-item]
        slot_id = lex.create_slot(
            **where,
            intentId=intent_id,
            slotName=slot["name"],
            slotTypeId=types.get(slot["type"], slot["type"]),
            valueElicitationSetting=elicitation,
        )["slotId"]
        priorities.append({"priority": number, "slotId": slot_id})
    update: dict[str, Any] = {
        "sampleUtterances": [{"utterance": u} for u in intent.get("utterances", [])],
        "slotPriorities": priorities,
    }
    if intent.get("confirmation"):
        update["intentConfirmationSetting"] = {
            "promptSpecification": {**_messages(intent["confirmation"]), "maxRetries": 2},  # type: ignore[dict-item]
            **(
                {"declinationResponse": _messages(intent["decline"])}
                if intent.get("decline")
                else {}
            ),
        }
    if intent.get("closing"):
        update["intentClosingSetting"] = {
            "closingResponse": _messages(intent["closing"]),
            "active": True,
        }
    lex.update_intent(**where, intentId=intent_id, intentName=intent["name"], **update)


def import_command(args: argparse.Namespace) -> int:
    lex = client("lexv2-models", args.endpoint, args.data_dir)
    bot_id, locale = create(lex, read_definition(args.file))
    where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": locale}
    lex.build_bot_locale(**where)
    print(f"bot {bot_id}: building {locale}...", flush=True)
    try:
        lex.get_waiter("bot_locale_built").wait(
            **where, WaiterConfig={"Delay": 2, "MaxAttempts": 300}
        )
    except Exception:
        reasons = lex.describe_bot_locale(**where).get("failureReasons", [])
        print("build failed: " + "; ".join(reasons))
        return 1
    print(f"bot {bot_id} is built; chat with: sensorium bots chat {bot_id}")
    return 0


def _bot_id(lex: Any, name_or_id: str) -> str:
    page: dict[str, Any] = {}
    while True:
        token = {"nextToken": page["nextToken"]} if "nextToken" in page else {}
        page = lex.list_bots(maxResults=1000, **token)
        for bot in page["botSummaries"]:
            if name_or_id in (bot["botId"], bot["botName"]):
                return str(bot["botId"])
        if "nextToken" not in page:
            raise SystemExit(f"no bot named {name_or_id}")


def chat_command(args: argparse.Namespace) -> int:
    lex = client("lexv2-models", args.endpoint, args.data_dir)
    runtime = client("lexv2-runtime", args.endpoint, args.data_dir)
    bot_id = _bot_id(lex, args.bot)
    session = uuid.uuid4().hex
    print("Type to talk to the bot; an empty line or Ctrl-D ends.")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            return 0
        if not text:
            return 0
        reply = runtime.recognize_text(
            botId=bot_id, botAliasId=args.alias, localeId=args.locale, sessionId=session, text=text
        )
        for message in reply.get("messages", []):
            print(f"bot> {message.get('content', message.get('contentType'))}")
        state = reply["sessionState"]
        intent = state.get("intent", {})
        print(
            f"     [{intent.get('name')} {intent.get('state')} · {state['dialogAction']['type']}]"
        )
