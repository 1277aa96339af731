"""`{{ moment|agency_time }}`: the one way templates show a time (ratings.clock.agency_time).

"2026-12-03 17:00 EST" in the agency's time zone, in pages, e-mails and documents alike;
`agency_time:"seconds"` adds the seconds. Exports keep UTC and label it.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from ratings import clock

register = template.Library()


@register.filter(name="agency_time")
def agency_time(value: dt.datetime | None, precision: str = "") -> str:
    if isinstance(value, str):  # an ISO time kept in JSON (audit data)
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return "" if value is None else str(value)
    return clock.agency_time(value, seconds=precision == "seconds")


@register.filter(name="agency_date")
def agency_date(value: dt.datetime | dt.date | None) -> str:
    """`{{ due|agency_date }}`: "Tuesday, December 8, 2026" (the agency-local day)."""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return str(value)
    return clock.agency_date(value) if isinstance(value, dt.date) else ""
