"""Spoken and written numbers -> digits ("twenty three" -> 23, "1,200" -> 1200)."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "a couple": 2, "couple": 2, "dozen": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | {"and"}
_DIGITS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[-+]?\d+(?:\.\d+)?$")
_ORDINAL_DIGITS = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def parse_number(text: str) -> float | None:
    """The number ``text`` says, or None when it is not (only) a number."""
    cleaned = text.strip().lower().replace("-", " ")
    if _DIGITS.match(cleaned.replace(" ", "")):
        return float(cleaned.replace(" ", "").replace(",", ""))
    words = cleaned.split()
    if not words or any(w not in NUMBER_WORDS for w in words) or words == ["and"]:
        return None
    total, current = 0, 0
    for word in words:
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return float(total + current)


def parse_ordinal(text: str) -> int | None:
    """ "3rd", "third", "twenty first" -> 3, 3, 21."""
    cleaned = text.strip().lower().replace("-", " ")
    match = _ORDINAL_DIGITS.match(cleaned)
    if match:
        return int(match.group(1))
    words = cleaned.split()
    if not words or words[-1] not in _ORDINALS:
        return None
    head = parse_number(" ".join(words[:-1])) if len(words) > 1 else 0.0
    if head is None:
        return None
    return int(head) + _ORDINALS[words[-1]]


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)
