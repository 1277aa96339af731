"""Small statistics the program view computes: percentiles (PostgreSQL's `percentile_cont`, and
the same linear interpolation in Python for databases without it) and the
Herfindahl-Hirschman Index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Aggregate, DurationField


class PercentileCont(Aggregate):
    """`percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)` (PostgreSQL)."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: Any, fraction: float, **extra: Any):
        super().__init__(expression, fraction=float(fraction), **extra)


def database_percentiles() -> bool:
    return connection.vendor == "postgresql"


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (what `percentile_cont` computes)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def days(value: dt.timedelta | float | None) -> float | None:
    """A duration in days (fractional), from an interval or a number of seconds."""
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return seconds / 86400


def shares(quantities: dict[Any, Decimal]) -> dict[Any, float]:
    """Each holder's share of the total, in percent."""
    total = sum(quantities.values(), Decimal(0))
    if not total:
        return {key: 0.0 for key in quantities}
    return {key: float(q * 100 / total) for key, q in quantities.items()}


def hhi(percent_shares: Iterable[float]) -> float:
    """Herfindahl-Hirschman Index: the sum of the squared percentage shares (0 to 10,000)."""
    return sum(share * share for share in percent_shares)
