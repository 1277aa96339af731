"""Working-day arithmetic for every regulatory clock (15 CFR 700.13(d); 45 CFR 101.33).

Working days skip Saturdays, Sundays and U.S. federal holidays, with their observed dates
(a Saturday holiday is observed on Friday, a Sunday one on Monday), from the maintained
`holidays` package. Every clock in the product goes through `add_working_days`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings


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


# --- Clocks built on add_working_days -------------------------------------------------------
#
# Receipt-day rule (decided here; the rule text says only "within N working days of receipt"):
# - The receipt day is the calendar date of receipt in the agency's time zone
#   (settings.AGENCY_TIME_ZONE, default America/New_York); every stored time stays UTC.
# - The receipt day itself is day 0. Receipt on a Saturday, Sunday or federal holiday counts as
#   receipt on the next working day, so the supplier always has N full working days.
# - The answer is due by the end of the due day (23:59:59 agency time), stored in UTC.
# - Emergency orders (45 CFR 101.33) carry their own limit in hours: due = receipt + hours,
#   calendar hours, weekends and holidays included.


def agency_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.AGENCY_TIME_ZONE)


def next_working_day_on_or_after(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def subtract_working_days(day: dt.date, n: int) -> dt.date:
    """`day` minus `n` working days (n >= 0). With n == 0, `day` itself."""
    if n < 0:
        raise ValueError("n must be zero or more working days")
    current = day
    remaining = n
    while remaining:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def receipt_day(received_at: dt.datetime) -> dt.date:
    """Day 0 of a working-day clock: the agency-local date of receipt, moved to a working day."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    return next_working_day_on_or_after(received_at.astimezone(agency_time_zone()).date())


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of `day` in the agency's time zone, as a UTC datetime."""
    local = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=agency_time_zone())
    return local.astimezone(dt.UTC)


def working_days_due(received_at: dt.datetime, n: int) -> dt.datetime:
    """Due time of an n-working-day clock started at `received_at` (rules above)."""
    return end_of_day(add_working_days(receipt_day(received_at), n))


def supplier_response_due(*, received_at: dt.datetime, level: str, emergency_hours: int | None = None) -> dt.datetime:
    """When the supplier must accept or reject (15 CFR 700.13(d); 45 CFR 101.33 emergencies)."""
    if emergency_hours is not None:
        if emergency_hours < 1:
            raise ValueError("An emergency limit is at least one hour")
        return received_at.astimezone(dt.UTC) + dt.timedelta(hours=emergency_hours)
    try:
        days = settings.SUPPLIER_RESPONSE_WORKING_DAYS[level]
    except KeyError:
        raise ValueError(f"No supplier response deadline is configured for level {level!r}") from None
    return working_days_due(received_at, days)


def delay_confirmation_due(*, notified_at: dt.datetime) -> dt.datetime:
    """Written confirmation of a verbal delay notice (15 CFR 700.13(d)(3))."""
    return working_days_due(notified_at, settings.DELAY_CONFIRMATION_WORKING_DAYS)


def reminder_days(due_at: dt.datetime) -> list[tuple[int, dt.date]]:
    """(offset, agency-local day) of each reminder before a due time, largest offset first.

    Offsets come from settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS; the periodic task skips
    reminder days already past when the clock starts.
    """
    due_day = due_at.astimezone(agency_time_zone()).date()
    offsets = sorted({int(n) for n in settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS}, reverse=True)
    return [(n, subtract_working_days(due_day, n)) for n in offsets]
