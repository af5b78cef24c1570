"""Lex's built-in slot types: which text each accepts and the value it resolves to."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from sensorium.models.nlu.datetimes import parse_date, parse_duration, parse_time
from sensorium.models.nlu.numbers import format_number, parse_number

_YES = {
    "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "absolutely",
    "of course", "definitely", "please do", "go ahead", "sounds good", "that's right",
    "yes please", "affirmative", "confirm", "do it", "certainly",
}  # fmt: skip
_NO = {
    "no", "nope", "nah", "no thanks", "no thank you", "not really", "negative", "cancel",
    "don't", "do not", "never mind", "nevermind", "wrong", "that's wrong", "not now",
}  # fmt: skip
_MAYBE = {"maybe", "perhaps", "possibly", "might"}
_DONT_KNOW = {"i don't know", "don't know", "not sure", "no idea", "dunno", "i'm not sure"}
_EMAIL = re.compile(r"^[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+$")
_SPOKEN_EMAIL = (
    (re.compile(r"\s+at\s+"), "@"),
    (re.compile(r"\s+dot\s+"), "."),
    (re.compile(r"\s+underscore\s+"), "_"),
    (re.compile(r"\s+dash\s+"), "-"),
)
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip

Resolver = Callable[[str, dt.date], list[str]]


def _phrase(text: str) -> str:
    return re.sub(r"[.!?,]+", "", text.lower()).strip()


def confirmation(text: str, _: dt.date) -> list[str]:
    phrase = _phrase(text)
    for values, answer in (
        (_YES, "Yes"),
        (_NO, "No"),
        (_MAYBE, "Maybe"),
        (_DONT_KNOW, "Don't know"),
    ):
        if phrase in values:
            return [answer]
    first = phrase.split(" ")[0] if phrase else ""
    if first in ("yes", "yeah", "yep", "sure", "ok", "okay"):
        return ["Yes"]
    if first in ("no", "nope", "nah"):
        return ["No"]
    return []


def number(text: str, _: dt.date) -> list[str]:
    value = parse_number(text)
    return [] if value is None else [format_number(value)]


def alphanumeric(text: str, _: dt.date) -> list[str]:
    compact = re.sub(r"[\s\-]+", "", text.strip())
    return [compact] if compact and re.fullmatch(r"[A-Za-z0-9]+", compact) else []


def email(text: str, _: dt.date) -> list[str]:
    spoken = " " + text.strip().lower() + " "
    for pattern, mark in _SPOKEN_EMAIL:
        spoken = pattern.sub(mark, spoken)
    candidate = spoken.strip().replace(" ", "")
    return [candidate] if _EMAIL.match(candidate) else []


def phone(text: str, _: dt.date) -> list[str]:
    tokens = re.findall(r"\d+|[a-z]+|\+", text.lower())
    if not tokens:
        return []
    digits = ""
    for token in tokens:
        if token.isdigit() or token == "+":
            digits += token
        elif token in _DIGIT_WORDS:
            digits += _DIGIT_WORDS[token]
        else:
            return []
    return [digits] if 7 <= len(digits.lstrip("+")) <= 15 else []


def free_form(text: str, _: dt.date) -> list[str]:
    return [text.strip()] if text.strip() else []


RESOLVERS: dict[str, Resolver] = {
    "AMAZON.Number": number,
    "AMAZON.AlphaNumeric": alphanumeric,
    "AMAZON.Date": lambda text, today: parse_date(text, today),
    "AMAZON.Time": lambda text, _: parse_time(text),
    "AMAZON.Duration": lambda text, _: parse_duration(text),
    "AMAZON.EmailAddress": email,
    "AMAZON.PhoneNumber": phone,
    "AMAZON.Confirmation": confirmation,
    "AMAZON.FreeFormInput": free_form,
}

# Built-in types distinctive enough to be picked out of any utterance by their parser alone.
SCANNABLE = frozenset({"AMAZON.Date", "AMAZON.Time", "AMAZON.Duration", "AMAZON.EmailAddress"})

# Surface forms used to fill ``{Slot}`` references of built-in types in sample utterances
# when training the slot tagger (what each type sounds like, not answers to anything).
TRAINING_SAMPLES: dict[str, list[str]] = {
    "AMAZON.Number": ["3", "twelve", "25", "one hundred", "7", "two", "40", "five"],
    "AMAZON.AlphaNumeric": ["A123", "XK42", "7BC9", "QZ11", "AB12CD"],
    "AMAZON.Date": [
        "tomorrow", "today", "friday", "next monday", "june 5th", "march 12",
        "the 3rd of may", "2025-07-01", "december twenty first", "saturday",
    ],
    "AMAZON.Time": ["5 pm", "10:30 am", "noon", "7 pm", "9 am", "17:00", "six thirty pm"],
    "AMAZON.Duration": ["two hours", "30 minutes", "3 days", "a week", "ten minutes"],
    "AMAZON.EmailAddress": ["jane@example.com", "bob.smith@mail.org", "info@shop.net"],
    "AMAZON.PhoneNumber": ["555 123 4567", "2065550100", "0 20 7946 0958"],
    "AMAZON.Confirmation": ["yes", "no", "sure", "nope"],
    "AMAZON.FreeFormInput": ["something else entirely", "the blue one", "anything"],
}  # fmt: skip


def resolve(type_name: str, text: str, today: dt.date) -> list[str]:
    """Resolved values of ``text`` as ``type_name`` (best first); empty when not one."""
    resolver = RESOLVERS.get(type_name)
    return resolver(text, today) if resolver else []
