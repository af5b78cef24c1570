"""Personally identifiable information found by patterns, each match validated where the
format allows it (Luhn for card numbers, the ABA checksum for routing numbers, mod 97 for
IBANs, SSA rules for SSNs, real calendar dates, octet ranges for IP addresses).

Numbers whose format is too common to stand alone (passport, routing and bank account numbers)
count only with their name close before them, as a person would read them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

CONTEXT_CHARS = 40  # how far before a number its naming words may be


@dataclass(frozen=True)
class PiiMatch:
    type: str
    start: int
    end: int


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    issuer = re.match(r"4|5[1-5]|2[2-7]|3[47]|6(?:011|5)|35|3[068]", digits)
    return 13 <= len(digits) <= 19 and issuer is not None and luhn(digits)


def _ssn(text: str) -> bool:
    area, group, serial = re.split(r"[- ]", text)
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _itin(text: str) -> bool:
    group = int(re.split(r"[- ]", text)[1])
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _routing(text: str) -> bool:
    d = [int(ch) for ch in text]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def _iban(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    rotated = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rotated)) % 97 == 1


def _phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+"):
        return 8 <= len(digits) <= 15
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    return len(national) == 10 and national[0] in "23456789" and national[3] in "23456789"


_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NUMBER = {name: i + 1 for i, name in enumerate(_MONTH_NAMES)}


def _date(text: str) -> bool:
    lowered = text.lower()
    numbers = [int(n) for n in re.findall(r"\d+", lowered)]
    named = re.search(_MONTHS, lowered)
    try:
        if named:
            month = _MONTH_NUMBER[named.group()[:3]]
            day = next((n for n in numbers if n <= 31), 1)
            year = next((n for n in numbers if n > 31), 2000)
        elif re.match(r"\d{4}", lowered):
            year, month, day = numbers[:3]
        else:
            month, day, year = numbers[:3]
            if month > 12:  # day/month/year
                month, day = day, month
            year += 2000 if year < 100 else 0
        dt.date(year, month, day)
    except (ValueError, StopIteration):
        return False
    return True


def _always(_: str) -> bool:
    return True


_B = r"(?<![\w@.\-])"  # a match starts and ends at a word edge
_E = r"(?![\w@\-]|\.\w)"


@dataclass(frozen=True)
class Pattern:
    type: str
    regex: re.Pattern[str]
    valid: Callable[[str], bool] = _always
    context: re.Pattern[str] | None = None  # words that must come just before


def _p(
    type_: str,
    regex: str,
    valid: Callable[[str], bool] = _always,
    context: str | None = None,
    cased: bool = False,
) -> Pattern:
    """``cased``: letters must match in case (capitalised names, AWS keys)."""
    return Pattern(
        type_,
        re.compile(_B + regex + _E, 0 if cased else re.IGNORECASE),
        valid,
        re.compile(context, re.IGNORECASE) if context else None,
    )


# In order of precedence: of two overlapping matches the earlier pattern's wins.
PATTERNS = (
    _p("EMAIL", r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}"),
    _p("URL", r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']"),
    _p("AWS_ACCESS_KEY", r"(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}", cased=True),
    _p(
        "AWS_SECRET_KEY",
        r"(?=[A-Za-z0-9/+]*[0-9])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])"
        r"[A-Za-z0-9/+]{40}",
        cased=True,
    ),
    _p(
        "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
        r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?",
        _iban,
    ),
    _p(
        "CREDIT_DEBIT_NUMBER",
        r"\d{4}(?:[ \-]?\d{4}){2}[ \-]?\d{1,7}|\d{4}[ \-]?\d{6}[ \-]?\d{5}",
        _card,
    ),
    _p("US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", r"9\d{2}([- ])\d{2}\1\d{4}", _itin),
    _p("SSN", r"\d{3}([- ])\d{2}\1\d{4}", _ssn),
    _p("MAC_ADDRESS", r"[0-9a-f]{2}([:\-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}"),
    _p("IP_ADDRESS", r"(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}", _ip),
    _p("BANK_ROUTING", r"\d{9}", _routing, r"\b(routing|ABA|RTN)\b"),
    _p("PASSPORT_NUMBER", r"[A-Z]?\d{8,9}", context=r"\bpassport\b"),
    _p("BANK_ACCOUNT_NUMBER", r"\d{6,17}", context=r"\b(account|acct)\b"),
    _p(
        "DATE_TIME",
        rf"(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?"
        rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS})\.?(?:,? \d{{4}})?"
        r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}",
        _date,
    ),
    _p(
        "DATE_TIME",
        r"\d{1,2}:\d{2}(?::\d{2})?(?: ?(?:[ap]\.m\.|[ap]m))?|\d{1,2} ?(?:[ap]\.m\.|[ap]m)",
    ),
    _p(
        "PHONE",
        r"(?:\+\d{1,3}[ .\-]?)?(?:\(\d{3}\)|\d{3})[ .\-]?\d{3}[ .\-]?\d{4}"
        r"|\+\d{1,3}(?:[ .\-]?\d{2,4}){2,5}",
        _phone,
    ),
    _p(
        "ADDRESS",
        r"\d{1,6}(?: [A-Z][a-z]+){1,4} (?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd"
        r"|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy)\.?"
        r"(?:,? (?:Apt|Apartment|Suite|Unit|#) ?\w+)?"
        r"(?:, [A-Z][a-z]+(?: [A-Z][a-z]+)*)?(?:,? [A-Z]{2})?(?: \d{5}(?:-\d{4})?)?",
        cased=True,
    ),
)


def find(text: str) -> list[PiiMatch]:
    """Every validated match, overlapping ones resolved by PATTERNS' order."""
    candidates: list[tuple[int, PiiMatch]] = []
    for rank, pattern in enumerate(PATTERNS):
        for match in pattern.regex.finditer(text):
            if not pattern.valid(match.group()):
                continue
            if pattern.context is not None:
                before = text[max(0, match.start() - CONTEXT_CHARS) : match.start()]
                if not pattern.context.search(before):
                    continue
            candidates.append((rank, PiiMatch(pattern.type, match.start(), match.end())))
    kept: list[PiiMatch] = []
    for _, candidate in sorted(candidates, key=lambda c: c[0]):
        if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda m: m.start)
