"""A paginator that estimates the count of a large unfiltered table instead of counting it.

`COUNT(*)` reads the whole table; PostgreSQL's planner statistics (`pg_class.reltuples`, kept by
autovacuum and ANALYZE) give the size within a few percent at no cost. Below the threshold, or
with any filter or search, the count is exact.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 10_000


def estimated_rows(queryset: Any) -> int | None:
    """The planner's row estimate of the queryset's table when it is unfiltered on PostgreSQL."""
    if not hasattr(queryset, "query") or queryset.query.where or queryset.query.distinct:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


class EstimatedCountPaginator(Paginator):  # type: ignore[type-arg]
    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list)
        if estimate is not None and estimate > ESTIMATE_ABOVE:
            return estimate
        return super().count
