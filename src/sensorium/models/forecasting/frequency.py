"""Forecast frequencies as Amazon Forecast names them, and the calendar arithmetic they need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Frequency:
    name: str
    months: int  # calendar steps (M, Y); 0 for fixed-length steps
    step: dt.timedelta
    season: int  # the seasonal period models use (and MASE's m, as AWS sets it)

    def advance(self, start: dt.datetime, steps: int) -> dt.datetime:
        if self.months:
            return add_months(start, self.months * steps)
        return start + self.step * steps

    def timestamps(self, start: dt.datetime, count: int) -> list[dt.datetime]:
        return [self.advance(start, index) for index in range(count)]

    def steps_between(self, earlier: dt.datetime, later: dt.datetime) -> int | None:
        """How many steps separate two timestamps; None when ``later`` is off the grid."""
        if self.months:
            months = (later.year - earlier.year) * 12 + later.month - earlier.month
            if months % self.months or add_months(earlier, months) != later:
                return None
            return months // self.months
        quotient, remainder = divmod(later - earlier, self.step)
        return quotient if not remainder else None


_MINUTE = dt.timedelta(minutes=1)
FREQUENCIES: dict[str, Frequency] = {
    "Y": Frequency("Y", 12, dt.timedelta(0), 1),
    "M": Frequency("M", 1, dt.timedelta(0), 12),
    "W": Frequency("W", 0, dt.timedelta(weeks=1), 52),
    "D": Frequency("D", 0, dt.timedelta(days=1), 7),
    "H": Frequency("H", 0, dt.timedelta(hours=1), 24),
    "30min": Frequency("30min", 0, 30 * _MINUTE, 48),
    "15min": Frequency("15min", 0, 15 * _MINUTE, 96),
    "10min": Frequency("10min", 0, 10 * _MINUTE, 144),
    "5min": Frequency("5min", 0, 5 * _MINUTE, 288),
    "1min": Frequency("1min", 0, _MINUTE, 60),
}


class UnknownFrequency(ValueError):
    pass


def frequency(name: str) -> Frequency:
    try:
        return FREQUENCIES[name]
    except KeyError:
        known = ", ".join(FREQUENCIES)
        raise UnknownFrequency(f"Unknown frequency {name!r}; use one of {known}.") from None


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, _days_in_month(year, month + 1))
    return moment.replace(year=year, month=month + 1, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day
