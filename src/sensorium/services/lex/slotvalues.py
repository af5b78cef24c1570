"""Slot values from an utterance: the tagger's spans, the elicited answer, and scanning for
custom values and distinctive built-in types, each resolved as Lex resolves its type."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from sensorium.models.nlu.builtins import RESOLVERS, SCANNABLE, resolve
from sensorium.models.nlu.pipeline import Span
from sensorium.models.nlu.words import split_words

MAX_SCAN_WORDS = 6
FUZZY_RATIO = 0.85
_TIME_MARKER = re.compile(r"\b(am|pm|a\.m\.|p\.m\.|noon|midnight|o'clock)\b|\d:\d")

Value = dict[str, Any]  # {"originalValue", "interpretedValue", "resolvedValues"}


def _normal(text: str) -> str:
    return re.sub(r"[^\w\s']", "", text.lower()).strip()


def _custom_match(type_body: dict[str, Any], text: str) -> str | None:
    """The canonical value ``text`` names (itself, a synonym, a plural or a near spelling)."""
    wanted = _normal(text)
    forms: dict[str, str] = {}
    for value in type_body.get("slotTypeValues", []):
        canonical = value["sampleValue"]["value"]
        for form in [canonical, *(s["value"] for s in value.get("synonyms") or [])]:
            forms[_normal(form)] = canonical
    for candidate in (wanted, wanted.removesuffix("s"), wanted.removesuffix("es")):
        if candidate in forms:
            return forms[candidate]
    close = difflib.get_close_matches(wanted, list(forms), n=1, cutoff=FUZZY_RATIO)
    return forms[close[0]] if close else None


def resolve_value(
    type_id: str,
    type_body: dict[str, Any] | None,
    text: str,
    today: dt.date,
    open_ended: bool,
) -> Value | None:
    """``open_ended``: the text is known to be a value (tagged or elicited), so an original
    value outside the list is kept when the slot type allows it."""
    original = text.strip()
    if not original:
        return None
    if type_id in RESOLVERS:
        resolved = resolve(type_id, original, today)
        if not resolved:
            return None
        return {
            "originalValue": original,
            "interpretedValue": resolved[0],
            "resolvedValues": resolved,
        }
    assert type_body is not None
    strategy = type_body.get("valueSelectionSetting", {}).get("resolutionStrategy")
    canonical = _custom_match(type_body, original)
    if canonical is None:
        if strategy == "TopResolution" or not open_ended:
            return None
        return {"originalValue": original, "interpretedValue": original, "resolvedValues": []}
    interpreted = canonical if strategy == "TopResolution" else original
    return {
        "originalValue": original,
        "interpretedValue": interpreted,
        "resolvedValues": [canonical],
    }


def _scan(
    type_id: str, type_body: dict[str, Any] | None, text: str, today: dt.date
) -> Value | None:
    """The longest stretch of words in ``text`` that is a value of the type."""
    if type_id in RESOLVERS and type_id not in SCANNABLE:
        return None
    words = split_words(text)
    for length in range(min(MAX_SCAN_WORDS, len(words)), 0, -1):
        for first in range(len(words) - length + 1):
            piece = text[words[first].start : words[first + length - 1].end]
            if type_id == "AMAZON.Time" and not _TIME_MARKER.search(piece.lower()):
                continue  # a bare number is not taken for a time unless it is asked for
            value = resolve_value(type_id, type_body, piece, today, open_ended=False)
            if value is not None:
                return value
    return None


def fill(
    intent: dict[str, Any],
    slot_types: dict[str, Any],
    text: str,
    spans: list[Span],
    elicited: str | None,
    today: dt.date,
) -> dict[str, Value]:
    slots: dict[str, Any] = intent["slots"]
    found: dict[str, Value] = {}

    def type_of(name: str) -> tuple[str, dict[str, Any] | None]:
        type_id = slots[name]["slotTypeId"]
        return type_id, slot_types.get(type_id)

    if elicited in slots:
        value = resolve_value(*type_of(elicited), text, today, open_ended=True)
        if value is not None and not _too_long(value, type_of(elicited)[0]):
            found[elicited] = value
    for span in spans:
        if span.slot in slots and span.slot not in found:
            value = resolve_value(*type_of(span.slot), span.text, today, open_ended=True)
            if value is not None:
                found[span.slot] = value
    for name in slots:
        if name not in found and type_of(name)[0] != "AMAZON.FreeFormInput":
            value = _scan(*type_of(name), text, today)
            if value is not None:
                found[name] = value
    return found


def _too_long(value: Value, type_id: str) -> bool:
    """A whole answer kept as an unlisted custom value must look like a value, not a
    sentence ("I want roses" is not a flower type; "roses" is)."""
    if type_id in RESOLVERS or value["resolvedValues"]:
        return False
    return len(split_words(value["originalValue"])) > 3
