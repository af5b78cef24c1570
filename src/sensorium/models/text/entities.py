"""Entities of a tokenised text: the WNUT-trained tagger's spans in Comprehend's types, plus
dates and quantities found by the project's own date and number parsers.

WNUT 2017 type -> Comprehend type: person -> PERSON, location -> LOCATION, corporation and
group -> ORGANIZATION, product -> COMMERCIAL_ITEM, creative-work -> TITLE. EVENT and OTHER have
no training data and are never answered.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sensorium.models.nlu.datetimes import parse_date, parse_time
from sensorium.models.nlu.numbers import parse_number
from sensorium.models.text.tagger import TaggedWord
from sensorium.models.text.tokens import Token

WNUT_TO_COMPREHEND = {
    "person": "PERSON",
    "location": "LOCATION",
    "corporation": "ORGANIZATION",
    "group": "ORGANIZATION",
    "product": "COMMERCIAL_ITEM",
    "creative-work": "TITLE",
}
MAX_DATE_TOKENS = 5
_TIME_MARKER = re.compile(r"\b(am|pm|a\.m\.|p\.m\.|noon|midnight|o'clock)\b|\d:\d\d")
_YEAR = re.compile(r"(1[89]|20)\d\d")
_MONTH_YEAR = re.compile(
    r"(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"( of)? (1[89]|20)\d\d"
)
_FILLERS = frozenset({"on", "at", "the", "of", "for", ","})
_NUMERIC = re.compile(r"\d+(?:[.,]\d+)*")
_CURRENCY = frozenset("$€£¥")
_UNIT_AFTER = frozenset({"%", "percent", "per", "cent"})
_NOT_A_UNIT = frozenset({"and", "or", "of", "the", "a", "an", "to", "in", "on", "at", "is", "was"})


@dataclass(frozen=True)
class FoundEntity:
    type: str
    start: int  # character offsets
    end: int
    score: float | None  # a model's probability; None for a parser's finding


def tagged_entities(tokens: Sequence[Token], tagged: Sequence[TaggedWord]) -> list[FoundEntity]:
    """The tagger's BIO spans; a span's score is the mean probability of its words' labels."""
    found: list[FoundEntity] = []
    start, kind, scores = -1, "", []  # type: tuple[int, str, list[float]]
    for i, word in enumerate([*tagged, None]):
        label = word.label if word is not None else "O"
        if label.startswith("I-") and label[2:] == kind and start >= 0 and word is not None:
            scores.append(word.score)
            continue
        if start >= 0:
            found.append(
                FoundEntity(
                    WNUT_TO_COMPREHEND[kind],
                    tokens[start].start,
                    tokens[i - 1].end,
                    sum(scores) / len(scores),
                )
            )
            start, kind, scores = -1, "", []
        if word is not None and label[:2] in ("B-", "I-") and label[2:] in WNUT_TO_COMPREHEND:
            start, kind, scores = i, label[2:], [word.score]
    return found


def dates(text: str, tokens: Sequence[Token], today: dt.date) -> list[FoundEntity]:
    """Longest runs of tokens the date or time parser reads as one value."""
    found: list[FoundEntity] = []
    i = 0
    while i < len(tokens):
        for length in range(min(MAX_DATE_TOKENS, len(tokens) - i), 0, -1):
            piece = text[tokens[i].start : tokens[i + length - 1].end]
            if _is_date(piece, today):
                found.append(FoundEntity("DATE", tokens[i].start, tokens[i + length - 1].end, None))
                i += length
                break
        else:
            i += 1
    return found


def _is_date(piece: str, today: dt.date) -> bool:
    lowered = piece.lower()
    if _YEAR.fullmatch(lowered) or _MONTH_YEAR.fullmatch(lowered):
        return True
    words = lowered.split()
    if words[0] in _FILLERS or words[-1] in _FILLERS:
        return False  # the parsers skip such words; the entity lies within them
    if parse_date(piece, today):
        return True
    return bool(_TIME_MARKER.search(lowered)) and bool(parse_time(piece))


def quantities(tokens: Sequence[Token], taken: Sequence[FoundEntity]) -> list[FoundEntity]:
    """A number (digits or number words, with a currency sign before or a unit after it) that
    is not already part of another entity."""
    found: list[FoundEntity] = []
    busy = [(e.start, e.end) for e in taken]
    i = 0
    while i < len(tokens):
        end = i
        while end < len(tokens) and _is_number_word(tokens[end].text, end > i):
            end += 1
        if end == i:
            i += 1
            continue
        first, last = i, end - 1
        if first > 0 and tokens[first - 1].text in _CURRENCY:
            first -= 1
        if end < len(tokens) and _unit(tokens[end].text):
            last = end
        start_char, end_char = tokens[first].start, tokens[last].end
        if not any(s < end_char and start_char < e for s, e in busy):
            found.append(FoundEntity("QUANTITY", start_char, end_char, None))
        i = last + 1
    return found


def _is_number_word(word: str, continuing: bool) -> bool:
    if _NUMERIC.fullmatch(word):
        return True
    if word.lower() in ("a", "and") or not word.isalpha():
        return False
    return parse_number(word) is not None or (
        continuing and word.lower() in ("hundred", "thousand")
    )


def _unit(word: str) -> bool:
    lowered = word.lower()
    return lowered in _UNIT_AFTER or (
        word.isalpha() and word.islower() and lowered not in _NOT_A_UNIT and len(word) > 1
    )


def resolve_overlaps(entities: Sequence[FoundEntity]) -> list[FoundEntity]:
    """Keep the earliest (then longest) of overlapping entities, in text order."""
    kept: list[FoundEntity] = []
    for entity in sorted(entities, key=lambda e: (e.start, -(e.end - e.start))):
        if not kept or entity.start >= kept[-1].end:
            kept.append(entity)
    return kept
