"""Dates, times and durations in the resolved formats Lex returns.

AMAZON.Date -> "YYYY-MM-DD" (relative dates against ``today``; a date without a year that has
passed this year means next year, as Lex prefers the future), AMAZON.Time -> "HH:MM" (an hour
without am/pm resolves to both readings, morning first), AMAZON.Duration -> ISO 8601 ("PT2H").
"""

from __future__ import annotations

import datetime as dt
import re

from sensorium.models.nlu.numbers import parse_number, parse_ordinal

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
         ("thursday", "thu", "thurs"), ("friday", "fri"), ("saturday", "sat"),
         ("sunday", "sun")]
    )
    for name in names
}  # fmt: skip
_RELATIVE = {"today": 0, "tonight": 0, "now": 0, "tomorrow": 1, "yesterday": -1}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|a|p)?$")
_DURATION_UNITS = {
    "second": ("T", "S"), "minute": ("T", "M"), "min": ("T", "M"), "hour": ("T", "H"),
    "hr": ("T", "H"), "day": ("", "D"), "week": ("", "W"), "month": ("", "M"),
    "year": ("", "Y"),
}  # fmt: skip


def _words(text: str) -> list[str]:
    cleaned = re.sub(r"[,!?]", " ", text.lower()).replace("the ", " ")
    return [w for w in cleaned.split() if w not in {"on", "of", "the", "for", "at"}]


def parse_date(text: str, today: dt.date) -> list[str]:
    words = _words(text)
    if not words:
        return []
    joined = " ".join(words)
    if joined in _RELATIVE:
        return [(today + dt.timedelta(days=_RELATIVE[joined])).isoformat()]
    if joined == "day after tomorrow":
        return [(today + dt.timedelta(days=2)).isoformat()]
    found = _weekday(words, today) or _numeric_date(joined, today) or _month_day(words, today)
    return [found.isoformat()] if found else []


def _weekday(words: list[str], today: dt.date) -> dt.date | None:
    """The coming such weekday ("friday", "next friday", "this friday"), never today."""
    if words[0] in ("next", "this", "coming") and len(words) == 2:
        words = words[1:]
    if len(words) != 1 or words[0] not in _WEEKDAYS:
        return None
    ahead = (_WEEKDAYS[words[0]] - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=ahead)


def _numeric_date(joined: str, today: dt.date) -> dt.date | None:
    try:
        iso = _ISO.match(joined)
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        slashed = _SLASHED.match(joined)
        if slashed:  # US order: month/day[/year]
            month, day = int(slashed.group(1)), int(slashed.group(2))
            year = slashed.group(3)
            if year:
                return dt.date(int(year) + (2000 if len(year) == 2 else 0), month, day)
            return _future(month, day, today)
    except ValueError:
        return None
    return None


def _month_day(words: list[str], today: dt.date) -> dt.date | None:
    months = [i for i, w in enumerate(words) if w in _MONTHS]
    if len(months) != 1:
        return None
    at = months[0]
    month = _MONTHS[words[at]]
    rest = words[:at] + words[at + 1 :]
    year: int | None = None
    if rest and re.fullmatch(r"\d{4}", rest[-1]):
        year = int(rest.pop())
    if not rest:
        return None
    day = parse_ordinal(" ".join(rest))
    if day is None:
        number = parse_number(" ".join(rest))
        day = int(number) if number is not None and number == int(number) else None
    if day is None:
        return None
    try:
        return dt.date(year, month, day) if year else _future(month, day, today)
    except ValueError:
        return None


def _future(month: int, day: int, today: dt.date) -> dt.date:
    candidate = dt.date(today.year, month, day)
    return candidate if candidate >= today else dt.date(today.year + 1, month, day)


def parse_time(text: str) -> list[str]:
    cleaned = re.sub(r"\s+", " ", text.lower().strip().replace("o'clock", "").replace(",", ""))
    cleaned = re.sub(r"^(at|by|around|about) ", "", cleaned).strip()
    named = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
    if cleaned in named:
        return [named[cleaned]]
    clock = _CLOCK.match(cleaned)
    if clock:
        hour, minute, meridiem = int(clock.group(1)), int(clock.group(2) or 0), clock.group(3)
    else:
        spoken = _spoken_time(cleaned)
        if spoken is None:
            return []
        hour, minute, meridiem = spoken
    if minute > 59 or hour > 23 or (meridiem and not 1 <= hour <= 12):
        return []
    if meridiem:
        afternoon = meridiem.startswith("p")
        hour = hour % 12 + (12 if afternoon else 0)
        return [f"{hour:02d}:{minute:02d}"]
    if clock and clock.group(2) is None and not (1 <= hour <= 23):
        return []
    if 1 <= hour <= 11:
        return [f"{hour:02d}:{minute:02d}", f"{hour + 12:02d}:{minute:02d}"]
    return [f"{hour:02d}:{minute:02d}"]


def _spoken_time(cleaned: str) -> tuple[int, int, str | None] | None:
    words = cleaned.split()
    meridiem = None
    if words and words[-1] in ("am", "pm", "a.m.", "p.m."):
        meridiem = words.pop()
    elif len(words) >= 3 and words[-3:-1] == ["in", "the"]:
        meridiem = {"morning": "am", "afternoon": "pm", "evening": "pm"}.get(words[-1])
        words = words[:-3]
    if not words:
        return None
    hour = parse_number(words[0])
    if hour is None or hour != int(hour):
        return None
    minute = parse_number(" ".join(words[1:])) if len(words) > 1 else 0.0
    if minute is None or minute != int(minute):
        return None
    if len(words) == 1 and meridiem is None:
        return None  # a bare spoken number is a number, not a time
    return int(hour), int(minute), meridiem


def parse_duration(text: str) -> list[str]:
    words = _words(text)
    if len(words) < 2:
        return []
    unit = words[-1].rstrip("s")
    if unit not in _DURATION_UNITS:
        return []
    amount = parse_number(" ".join(words[:-1]))
    if amount is None or amount <= 0:
        return []
    section, letter = _DURATION_UNITS[unit]
    value = str(int(amount)) if amount == int(amount) else str(amount)
    return [f"P{section}{value}{letter}"]
