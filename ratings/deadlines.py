"""Working-day arithmetic for every regulatory clock (15 CFR 700.13(d); 45 CFR 101.33).

Working days skip Saturdays, Sundays and U.S. federal holidays, with their observed dates
(a Saturday holiday is observed on Friday, a Sunday one on Monday), from the maintained
`holidays` package. Every clock in the product goes through `add_working_days`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[dt.date]:
    # Neighbouring years too: New Year's Day on a Saturday is observed on December 31.
    calendar = holidays.country_holidays("US", years=[year - 1, year, year + 1], observed=True)
    return frozenset(day for day in calendar if day.year == year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """`day` plus `n` working days (n >= 0). With n == 0, `day` itself."""
    if n < 0:
        raise ValueError("n must be zero or more working days")
    current = day
    remaining = n
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
