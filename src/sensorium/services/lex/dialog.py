"""Lex's dialog management for one turn: pick or keep the intent, fill slots, elicit what is
missing with the slot's prompts, confirm, and close. Code hooks cannot run here, so an intent
whose slots are filled (and confirmed) ends ReadyForFulfillment."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sensorium.models.nlu.builtins import confirmation
from sensorium.models.nlu.pipeline import Parse
from sensorium.services.lex.slotvalues import Value, fill
from sensorium.services.lex.store import FALLBACK_INTENT_ID

FALLBACK = "FallbackIntent"
MAX_INTERPRETATIONS = 5
DEFAULT_MAX_RETRIES = 2
_REFERENCE = re.compile(r"\{([A-Za-z0-9_\-]+)\}")

State = dict[str, Any]


@dataclass
class Turn:
    state: State  # Lex's sessionState
    messages: list[dict[str, Any]] = field(default_factory=list)
    interpretations: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0


class Dialog:
    def __init__(self, definition: dict[str, Any], today: dt.date) -> None:
        self.definition = definition
        self.intents: dict[str, Any] = definition["intents"]
        self.types: dict[str, Any] = definition["slotTypes"]
        self.threshold = float(definition["threshold"])
        self.today = today

    def respond(self, state: State, text: str, parse: Parse, retries: int) -> Turn:
        action = (state.get("dialogAction") or {}).get("type")
        intent = state.get("intent")
        ranked = self._ranked(parse)
        turn = Turn(dict(state), retries=retries)
        if intent and intent.get("name") in self.intents and intent.get("state") == "InProgress":
            if action == "ElicitSlot":
                if self._answer_slot(turn, intent, state["dialogAction"], text, parse, ranked):
                    return self._finish(turn, ranked, parse)
            elif action == "ConfirmIntent":
                self._answer_confirmation(turn, intent, text)
                return self._finish(turn, ranked, parse)
        self._start_intent(turn, ranked[0][0], text, parse)
        return self._finish(turn, ranked, parse)

    # -- intent choice

    def _ranked(self, parse: Parse) -> list[tuple[str, float | None]]:
        """Intents by confidence; FallbackIntent first when nothing clears the threshold."""
        ranked: list[tuple[str, float | None]] = [
            (name, score) for name, score in parse.intents if name in self.intents
        ]
        if not ranked or parse.falls_back(self.threshold):
            return [(FALLBACK, None), *ranked]
        return [ranked[0], (FALLBACK, None), *ranked[1:]]

    def _start_intent(self, turn: Turn, name: str, text: str, parse: Parse) -> None:
        turn.retries = 0
        if name == FALLBACK:
            intent = {"name": FALLBACK, "slots": {}, "state": "ReadyForFulfillment"}
            intent["confirmationState"] = "None"
            turn.state["intent"] = intent
            turn.state["dialogAction"] = {"type": "Close"}
            self._say_closing(turn, FALLBACK, intent)
            return
        definition = self.intents[name]
        slots = fill(definition, self.types, text, parse.spans, None, self.today)
        intent = {"name": name, "slots": slots, "state": "InProgress", "confirmationState": "None"}
        turn.state["intent"] = intent
        initial = definition.get("initialResponseSetting") or {}
        response = initial.get("initialResponse")
        if response and response.get("messageGroups") and initial.get("initialResponse"):
            turn.messages.extend(self._render(response, slots))
        self._next_step(turn, intent)

    # -- answers to what was asked

    def _answer_slot(
        self,
        turn: Turn,
        intent: dict[str, Any],
        action: dict[str, Any],
        text: str,
        parse: Parse,
        ranked: list[tuple[str, float | None]],
    ) -> bool:
        """Fill the elicited slot; False when the user switched to another intent instead."""
        definition = self.intents[intent["name"]]
        wanted = action.get("slotToElicit")
        found = fill(definition, self.types, text, parse.spans, wanted, self.today)
        slots = {**(intent.get("slots") or {}), **found}
        intent = {**intent, "slots": slots}
        turn.state["intent"] = intent
        if wanted in found or (found and wanted not in definition["slots"]):
            turn.retries = 0
            self._next_step(turn, intent)
            return True
        top, score = ranked[0]
        if top not in (FALLBACK, intent["name"]) and score is not None and score >= 0.8:
            return False
        turn.retries += 1
        slot = definition["slots"].get(wanted) or {}
        prompt = (slot.get("valueElicitationSetting") or {}).get("promptSpecification") or {}
        if turn.retries > int(prompt.get("maxRetries", DEFAULT_MAX_RETRIES)):
            intent["state"] = "Failed"
            turn.state["dialogAction"] = {"type": "Close"}
            return True
        turn.state["dialogAction"] = {"type": "ElicitSlot", "slotToElicit": wanted}
        turn.messages.extend(self._render(prompt, slots))
        return True

    def _answer_confirmation(self, turn: Turn, intent: dict[str, Any], text: str) -> None:
        definition = self.intents[intent["name"]]
        setting = definition.get("intentConfirmationSetting") or {}
        answer = confirmation(text, self.today)
        slots = intent.get("slots") or {}
        intent = dict(intent)
        turn.state["intent"] = intent
        if answer == ["Yes"]:
            intent["confirmationState"] = "Confirmed"
            self._next_step(turn, intent)
        elif answer == ["No"]:
            intent["confirmationState"] = "Denied"
            intent["state"] = "Failed"
            turn.state["dialogAction"] = {"type": "Close"}
            declined = setting.get("declinationResponse")
            if declined:
                turn.messages.extend(self._render(declined, slots))
        else:
            turn.state["dialogAction"] = {"type": "ConfirmIntent"}
            turn.messages.extend(self._render(setting.get("promptSpecification") or {}, slots))

    # -- what comes next

    def _next_step(self, turn: Turn, intent: dict[str, Any]) -> None:
        definition = self.intents[intent["name"]]
        slots = intent.get("slots") or {}
        by_id = {s["slotId"]: name for name, s in definition["slots"].items()}
        order = [
            by_id[p["slotId"]]
            for p in sorted(definition.get("slotPriorities") or [], key=lambda p: p["priority"])
            if p["slotId"] in by_id
        ]
        order += [name for name in definition["slots"] if name not in order]
        for name in order:
            setting = definition["slots"][name].get("valueElicitationSetting") or {}
            if setting.get("slotConstraint") == "Required" and name not in slots:
                intent["state"] = "InProgress"
                turn.state["dialogAction"] = {"type": "ElicitSlot", "slotToElicit": name}
                turn.messages.extend(self._render(setting.get("promptSpecification") or {}, slots))
                return
        confirm = definition.get("intentConfirmationSetting") or {}
        if (
            confirm.get("promptSpecification")
            and confirm.get("active", True)
            and intent.get("confirmationState", "None") == "None"
        ):
            intent["state"] = "InProgress"
            turn.state["dialogAction"] = {"type": "ConfirmIntent"}
            turn.messages.extend(self._render(confirm["promptSpecification"], slots))
            return
        intent["state"] = "ReadyForFulfillment"
        turn.state["dialogAction"] = {"type": "Close"}
        self._say_closing(turn, intent["name"], intent)

    def _say_closing(self, turn: Turn, name: str, intent: dict[str, Any]) -> None:
        closing = self.intents.get(name, {}).get("intentClosingSetting") or {}
        response = closing.get("closingResponse")
        if response and closing.get("active", True):
            turn.messages.extend(self._render(response, intent.get("slots") or {}))

    # -- output

    def _finish(self, turn: Turn, ranked: list[tuple[str, float | None]], parse: Parse) -> Turn:
        current = turn.state.get("intent") or {}
        interpretations = []
        names = [current.get("name")] + [n for n, _ in ranked if n != current.get("name")]
        scores = dict(ranked)
        for name in names[:MAX_INTERPRETATIONS]:
            if name is None or name not in self.intents:
                continue
            if name == current.get("name"):
                intent = current
            else:
                slots = {}
                if name != FALLBACK:
                    definition = self.intents[name]
                    slots = fill(definition, self.types, "", parse.spans, None, self.today)
                intent = {"name": name, "slots": slots, "confirmationState": "None"}
            entry: dict[str, Any] = {"intent": intent, "interpretationSource": "Lex"}
            if scores.get(name) is not None:
                entry["nluConfidence"] = {"score": round(float(scores[name] or 0.0), 2)}
            interpretations.append(entry)
        turn.interpretations = interpretations
        return turn

    def _render(self, specification: dict[str, Any], slots: dict[str, Value]) -> list[Any]:
        messages = []
        for group in specification.get("messageGroups") or []:
            message = group.get("message") or {}
            rendered = _message(message, slots)
            if rendered:
                messages.append(rendered)
        return messages


def _substitute(text: str, slots: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        slot = slots.get(match.group(1))
        if not slot:
            return match.group(0)
        return str(slot.get("value", slot).get("interpretedValue", match.group(0)))

    return _REFERENCE.sub(value, text)


def _message(message: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any] | None:
    if "plainTextMessage" in message:
        return {
            "contentType": "PlainText",
            "content": _substitute(message["plainTextMessage"]["value"], slots),
        }
    if "ssmlMessage" in message:
        return {
            "contentType": "SSML",
            "content": _substitute(message["ssmlMessage"]["value"], slots),
        }
    if "customPayload" in message:
        return {"contentType": "CustomPayload", "content": message["customPayload"]["value"]}
    if "imageResponseCard" in message:
        return {
            "contentType": "ImageResponseCard",
            "imageResponseCard": message["imageResponseCard"],
        }
    return None


def wire_slots(slots: dict[str, Value]) -> dict[str, Any]:
    """Internal slot values -> Lex's ``{"SlotName": {"value": {...}}}``."""
    return {name: {"value": value} for name, value in slots.items()}


__all__ = ["FALLBACK", "FALLBACK_INTENT_ID", "Dialog", "Turn", "wire_slots"]
