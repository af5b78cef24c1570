"""Amazon Forecast's Java-style TimestampFormat patterns, translated to strptime."""

from __future__ import annotations

import datetime as dt
import re

_TOKENS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_PATTERN = re.compile(r"'[^']*'|yyyy|yy|MM|dd|HH|mm|ss|[A-Za-z]|.", re.DOTALL)
DATE_ONLY = "yyyy-MM-dd"
DATE_TIME = "yyyy-MM-dd HH:mm:ss"


class BadTimestampFormat(ValueError):
    pass


def default_format(frequency: str) -> str:
    """AWS's defaults: a date for Y/M/W/D data, a date and time for H and finer."""
    return DATE_ONLY if frequency in ("Y", "M", "W", "D") else DATE_TIME


def strptime_format(pattern: str) -> str:
    parts = []
    for token in _PATTERN.findall(pattern):
        if token in _TOKENS:
            parts.append(_TOKENS[token])
        elif token.startswith("'"):
            parts.append(token.strip("'").replace("%", "%%"))
        elif token.isalpha():
            raise BadTimestampFormat(
                f"TimestampFormat {pattern!r}: the field {token!r} is not supported; use "
                "yyyy, MM, dd, HH, mm, ss and quoted literals."
            )
        else:
            parts.append(token.replace("%", "%%"))
    return "".join(parts)


def parse(value: str, strptime: str) -> dt.datetime:
    return dt.datetime.strptime(value.strip(), strptime)


def query_date(value: str) -> dt.datetime:
    """QueryForecast's StartDate/EndDate: yyyy-MM-dd'T'HH:mm:ss."""
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")


def wire(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
