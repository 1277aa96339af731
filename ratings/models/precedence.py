"""The order of precedence (15 CFR 700.14 / 45 CFR 101.34) as one integer, smallest first: DX,
then DO, then unrated; within a level the earlier required delivery date, none last.

`RatedOrder.precedence` holds it for the order's level and its current version's earliest
required date. The one place a version is made (services.orders.issue.rated_order_version_create,
which every level change goes through too) keeps it, so an index gives a supplier's list in order.
"""

from __future__ import annotations

import datetime as dt

from ratings.constants import LEVEL_RANK

LEVEL_BAND = 10_000_000  # more days than 1970-01-01..9999-12-31
NO_REQUIRED_DATE = dt.date(9999, 12, 31)
TOP_RANK = max(LEVEL_RANK.values())


def precedence_key(level: str, required_by: dt.date | None) -> int:
    band = TOP_RANK - LEVEL_RANK.get(level, 0)
    return band * LEVEL_BAND + ((required_by or NO_REQUIRED_DATE) - dt.date(1970, 1, 1)).days


LAST_IN_PRECEDENCE = precedence_key("", None)
