"""Pages of long lists that cost the same however long the list is.

`EstimatedCountPaginator` (admin changelists): `COUNT(*)` reads the whole table; PostgreSQL's
planner statistics (`pg_class.reltuples`, kept by autovacuum and ANALYZE) give the size within
a few percent at no cost. A list narrowed only by the viewer's scope (the request changelist
leaves out drafts), with no filter or search of the user's, takes the planner's estimate of that
query (`EXPLAIN`, about a millisecond). Below the threshold, or with any filter or search of the
user's, the count is exact.
`keyset_page` (portal lists): 50 rows after the last one shown, by an index, with no count.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 10_000


def estimated_rows(queryset: Any, *, scope_only: bool = False) -> int | None:
    """The planner's row estimate of the queryset's table when it is unfiltered on PostgreSQL, or
    of the query itself when `scope_only` says its filters are only the viewer's scope."""
    if not hasattr(queryset, "query") or queryset.query.distinct:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    if queryset.query.where:
        if not scope_only:
            return None
        plan = queryset.order_by().values("pk").explain(format="json")
        # Nothing to explain when the scope is empty (Django sends no query): counted, as 0.
        return int(json.loads(plan)[0]["Plan"]["Plan Rows"]) if plan else None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


class EstimatedCountPaginator(Paginator):  # type: ignore[type-arg]
    scope_only = False  # set by the changelist when no filter or search of the user's applies

    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list, scope_only=self.scope_only)
        if estimate is not None and estimate > ESTIMATE_ABOVE:
            return estimate
        return super().count


# --- keyset pages for the portal's lists ---------------------------------------------------------

PAGE_SIZE = 50
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str  # "" on the last page
    first: bool  # no cursor was given: the list's first page


def keyset_page(queryset: Any, cursor: str | None, *, field: str, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of `queryset` newest first by (`field`, pk), after `cursor` (from the previous
    page's `next_cursor`). Each page is an index range read, however deep: no OFFSET, no COUNT.
    A cursor that does not parse starts from the top."""
    after = _parse(cursor)
    ordered = queryset.order_by(f"-{field}", "-pk")
    if after is not None:
        moment, pk = after
        ordered = ordered.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    following = f"{(getattr(rows[-1], field) - EPOCH) // MICROSECOND}-{rows[-1].pk}" if more and rows else ""
    return KeysetPage(rows=rows, next_cursor=following, first=after is None)


def _parse(cursor: str | None) -> tuple[dt.datetime, int] | None:
    """ "<microseconds since the epoch>-<pk>": digits only, safe in a URL as it is."""
    micros, _, pk = (cursor or "").partition("-")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18:
        return None
    return EPOCH + int(micros) * MICROSECOND, int(pk)
