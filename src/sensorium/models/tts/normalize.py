# ruff: noqa: RUF001
"""English text normalisation: written tokens to the words a person would say.

``tokens`` splits text into written words with character offsets; ``spoken`` rewrites one
token (with its neighbours for context) as plain words; ``say_as`` implements SSML's
interpret-as values. Text in other languages passes through for espeak-ng to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sensorium.models.tts import numbers

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_INDEX = {name.lower(): i for i, name in enumerate(MONTHS)}
_MONTH_INDEX.update({name[:3].lower(): i for i, name in enumerate(MONTHS)})
_MONTH_INDEX["sept"] = 8

ABBREVIATIONS = {
    "dr.": "doctor",
    "mr.": "mister",
    "mrs.": "missus",
    "ms.": "miz",
    "prof.": "professor",
    "jr.": "junior",
    "sr.": "senior",
    "etc.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "vs.": "versus",
    "approx.": "approximately",
    "dept.": "department",
    "inc.": "incorporated",
    "ltd.": "limited",
    "co.": "company",
    "ave.": "avenue",
    "rd.": "road",
    "mt.": "mount",
    "ft.": "feet",
    "lb.": "pounds",
    "lbs.": "pounds",
    "oz.": "ounces",
    "min.": "minutes",
    "sec.": "seconds",
    "hr.": "hours",
}
# Abbreviations that never end a sentence by their full stop.
TITLES = {"dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "mt.", "e.g.", "i.e.", "vs.", "no."}
UNITS = {
    "km": "kilometers",
    "kg": "kilograms",
    "g": "grams",
    "cm": "centimeters",
    "mm": "millimeters",
    "m": "meters",
    "mi": "miles",
    "mph": "miles per hour",
    "kph": "kilometers per hour",
    "ml": "milliliters",
    "gb": "gigabytes",
    "mb": "megabytes",
    "kb": "kilobytes",
    "tb": "terabytes",
    "ghz": "gigahertz",
    "mhz": "megahertz",
    "khz": "kilohertz",
    "hz": "hertz",
}
SYMBOLS = {"&": "and", "+": "plus", "@": "at", "=": "equals", "%": "percent", "#": "number"}
CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "sen", "sen"),
}
_SCALE_WORDS = {"k": "thousand", "m": "million", "b": "billion", "bn": "billion"}

_LEADING = "\"'([{¿¡“‘«"
_TRAILING = "\"')]}.,;:!?…”’»"
# Numbers of up to this many digits (hundreds of trillions) are read as numbers.
MAX_NUMBER_DIGITS = 15
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY = re.compile(rf"([$€£¥])({_NUMBER})(k|m|bn|b|\s*million|\s*billion)?", re.I)
_PERCENT = re.compile(rf"(-?{_NUMBER})%")
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)", re.I)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?(?:m\.?)?", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
_PLAIN = re.compile(rf"-?(?:{_NUMBER})")
_WITH_UNIT = re.compile(rf"({_NUMBER})([a-z]+)", re.I)
_DECADE = re.compile(r"(\d{2,4})0'?s")


@dataclass(frozen=True)
class Token:
    """A written word: ``text`` without its edge punctuation, at ``[start, end)``."""

    text: str
    start: int
    end: int
    trailing: str  # punctuation after it ("," "." "?!" ...)


def tokens(text: str) -> list[Token]:
    found = []
    for match in re.finditer(r"\S+", text):
        raw, start = match.group(), match.start()
        lower = raw.lower().rstrip("\"')]}”’»")
        if lower in ABBREVIATIONS or lower in TITLES or _is_initial(raw):
            core_end = start + len(raw.rstrip("\"')]}”’»"))
            found.append(Token(text[start:core_end], start, core_end, text[core_end : match.end()]))
            continue
        left = len(raw) - len(raw.lstrip(_LEADING))
        right = len(raw.rstrip(_TRAILING))
        if right <= left:  # punctuation only: attach it to the previous token
            if found:
                last = found[-1]
                found[-1] = Token(last.text, last.start, last.end, last.trailing + raw)
            continue
        found.append(Token(raw[left:right], start + left, start + right, raw[right:]))
    return found


def _is_initial(raw: str) -> bool:
    return len(raw) == 2 and raw[0].isupper() and raw[1] == "."


def ends_sentence(token: Token, following: Token | None) -> bool:
    if not any(mark in token.trailing for mark in ".!?…") and not token.text.endswith("."):
        return False
    if following is None:
        return True
    lower = token.text.lower()
    if lower in TITLES or _is_initial(token.text):
        return False
    if lower in ABBREVIATIONS:
        return following.text[:1].isupper()
    return True


def spoken(token: str, previous: str | None = None, following: str | None = None) -> str:
    """The words for one written token."""
    if _long_number(token):
        return _digit_by_digit(token)
    lower = token.lower()
    if lower in ABBREVIATIONS:
        return ABBREVIATIONS[lower]
    if lower == "st.":
        return "saint" if following and following[:1].isupper() else "street"
    if lower == "no." and following and following[:1].isdigit():
        return "number"
    if token in ("AM", "PM", "am", "pm") and previous and previous[:1].isdigit():
        return f"{token[0].upper()} M"
    if token in SYMBOLS:
        return SYMBOLS[token]
    words = _numeric(token, previous, following)
    if words is not None:
        return words
    if "/" in token and not token.startswith("http"):
        return " slash ".join(spoken(part) for part in token.split("/") if part)
    if "-" in token and any(ch.isdigit() for ch in token):
        parts = [spoken(part) for part in token.split("-") if part]
        return (
            " to ".join(parts)
            if all(p[:1].isdigit() for p in token.split("-"))
            else " ".join(parts)
        )
    return token.rstrip(".") if lower.endswith(".") and len(token) > 2 else token


def _numeric(token: str, previous: str | None, following: str | None) -> str | None:
    if not any(ch.isdigit() for ch in token):
        return None
    if match := _CURRENCY.fullmatch(token):
        return _money(match[1], match[2], match[3])
    if match := _PERCENT.fullmatch(token):
        return f"{numbers_words(match.group(1))} percent"
    if match := _ORDINAL.fullmatch(token):
        return numbers.ordinal(int(match.group(1)))
    if match := _ISO_DATE.fullmatch(token):
        year, month, day = (int(part) for part in match.groups())
        return date_words(year, month, day)
    if match := _SLASH_DATE.fullmatch(token):
        month, day, year = (int(part) for part in match.groups())
        return date_words(year + 2000 if year < 100 else year, month, day)
    if match := _TIME.fullmatch(token):
        return time_words(*match.groups())
    if match := _DECADE.fullmatch(token):
        return _decade(match.group(1) + "0")
    if _PLAIN.fullmatch(token):
        return _number_in_context(token, previous, following)
    if (match := _WITH_UNIT.fullmatch(token)) and match.group(2).lower() in UNITS:
        return f"{numbers_words(match.group(1))} {UNITS[match.group(2).lower()]}"
    if token.startswith("#") and token[1:].isdigit():
        return f"number {numbers.cardinal(int(token[1:]))}"
    return None


def _number_in_context(token: str, previous: str | None, following: str | None) -> str:
    plain = token.replace(",", "")
    before = (previous or "").lower().rstrip(".,")
    if before in _MONTH_INDEX and plain.isdigit() and 1 <= int(plain) <= 31:
        return numbers.ordinal(int(plain))
    if plain.isdigit() and len(plain) == 4 and "," not in token and 1100 <= int(plain) <= 2099:
        return numbers.year(int(plain))
    words = numbers_words(token)
    unit = (following or "").lower()
    if unit in UNITS:  # "5 km" -> the unit token reads itself; keep the number plain
        return words
    return words


def numbers_words(text: str) -> str:
    negative = text.startswith("-")
    words = numbers.decimal(text.lstrip("-"))
    return f"minus {words}" if negative else words


def _money(symbol: str, amount: str, scale: str | None) -> str:
    one, many, cent, cents = CURRENCIES[symbol]
    if scale:
        scale_word = _SCALE_WORDS.get(scale.strip().lower(), scale.strip().lower())
        return f"{numbers_words(amount)} {scale_word} {many}"
    whole, _, fraction = amount.replace(",", "").partition(".")
    units = int(whole or 0)
    words = f"{numbers.cardinal(units)} {one if units == 1 else many}"
    if fraction:
        hundredths = int((fraction + "0")[:2])
        if hundredths:
            words += f" and {numbers.cardinal(hundredths)} {cent if hundredths == 1 else cents}"
    return words


def date_words(year: int | None, month: int | None, day: int | None) -> str:
    parts = []
    if month is not None and 1 <= month <= 12:
        parts.append(MONTHS[month - 1])
    if day is not None:
        parts.append(numbers.ordinal(day) if parts else f"the {numbers.ordinal(day)}")
    text = " ".join(parts)
    if year is not None:
        text = f"{text}, {numbers.year(year)}" if text else numbers.year(year)
    return text


def time_words(hours: str, minutes: str, seconds: str | None, meridiem: str | None) -> str:
    hour, minute = int(hours), int(minutes)
    words = numbers.cardinal(hour)
    if minute == 0:
        words += "" if meridiem else " o'clock"
    elif minute < 10:
        words += f" oh {numbers.cardinal(minute)}"
    else:
        words += f" {numbers.cardinal(minute)}"
    if seconds and int(seconds):
        words += f" and {numbers.cardinal(int(seconds))} seconds"
    if meridiem:
        words += f" {meridiem.upper()} M"
    return words


def _decade(text: str) -> str:
    value = int(text)
    spoken_year = numbers.year(value) if len(text) == 4 else numbers.cardinal(value)
    head, _, last = spoken_year.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


def say_as(text: str, interpret_as: str, format_: str | None = None) -> str:
    """SSML ``say-as``; an unknown interpretation reads the text normally."""
    kind = interpret_as.lower()
    stripped = text.strip()
    if kind not in ("characters", "spell-out", "digits", "telephone") and _long_number(stripped):
        return _digit_by_digit(stripped)
    if kind in ("characters", "spell-out"):
        return " ".join(_letter(ch) for ch in stripped if not ch.isspace())
    if kind == "digits":
        return " ".join(_letter(ch) for ch in stripped if ch.isalnum())
    if kind in ("cardinal", "number") and _PLAIN.fullmatch(stripped):
        return numbers_words(stripped)
    if kind == "ordinal" and stripped.rstrip("stndrh").isdigit():
        return numbers.ordinal(int(stripped.rstrip("stndrh")))
    if kind == "telephone":
        groups = re.findall(r"\d+", stripped)
        return ", ".join(numbers.digits(group) for group in groups)
    if kind == "date":
        return _ssml_date(stripped, (format_ or "mdy").lower())
    if kind == "time" and (match := _TIME.fullmatch(stripped.replace(" ", ""))):
        return time_words(*match.groups())
    if kind == "time" and (match := re.fullmatch(r"(\d+)'(\d+)\"?", stripped)):
        return (
            f"{numbers.cardinal(int(match[1]))} minutes {numbers.cardinal(int(match[2]))} seconds"
        )
    if kind == "fraction" and (match := re.fullmatch(r"(\d+)/(\d+)", stripped)):
        top, bottom = int(match[1]), int(match[2])
        below = "half" if bottom == 2 else numbers.ordinal(bottom)
        return f"{numbers.cardinal(top)} {below}{'s' if top != 1 else ''}"
    return " ".join(spoken(token.text) for token in tokens(stripped))


def _long_number(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) > MAX_NUMBER_DIGITS


def _digit_by_digit(text: str) -> str:
    """Long digit runs are read digit by digit: their words grow with their length, never
    faster (a 3,000-digit number read as a number is a chain of scales without end)."""
    words = []
    for part in re.split(r"(\d)", text):
        if part.isdigit():
            words.append(numbers.digits(part))
        elif any(ch.isalpha() for ch in part):
            words.append(spoken(part))
    return " ".join(words)


def _letter(ch: str) -> str:
    if ch.isdigit():
        return numbers.cardinal(int(ch))
    return {"a": "ay", "A": "ay"}.get(ch, ch.upper() if ch.isalpha() else SYMBOLS.get(ch, ch))


def _ssml_date(text: str, format_: str) -> str:
    parts = [int(part) for part in re.findall(r"\d+", text)]
    fields = [f for f in format_ if f in "ymd"]
    if len(parts) != len(fields):
        if _ISO_DATE.fullmatch(text):
            fields, parts = ["y", "m", "d"], [int(p) for p in text.split("-")]
        else:
            return " ".join(spoken(token.text) for token in tokens(text))
    values = dict(zip(fields, parts, strict=True))
    year = values.get("y")
    if year is not None and year < 100:
        year += 2000
    return date_words(year, values.get("m"), values.get("d"))
