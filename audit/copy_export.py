"""The CSV export straight from PostgreSQL's `COPY ... TO STDOUT`: what a spreadsheet would run
as a formula is neutralised in SQL (a leading apostrophe, as `exports.neutralize` does), the
timestamp is written in the chain's canonical form, and the bytes stream in the blocks COPY
sends, so memory stays flat at any size. JSON cells are PostgreSQL's text of the stored value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min
from django.db.models.expressions import RawSQL

from audit import selectors
from audit.chain import HASHED_FIELDS
from audit.constants import CONFIDENTIALITY_LEGEND
from audit.models import AuditEvent

COLUMNS = (*HASHED_FIELDS, "hash")
# Every column but the numbers, the timestamp and the JSON documents is text a spreadsheet reads.
NOT_TEXT = {"sequence", "occurred_at", "actor_id", "actor_roles", "organization_id", "changes", "data"}
TEXT = set(COLUMNS) - NOT_TEXT
# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_START = "('=', '+', '-', '@', E'\\t', E'\\r')"


def _cell(column: str) -> str:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    quoted = f"{table}.{connection.ops.quote_name(column)}"
    if column == "occurred_at":
        return f"""to_char({quoted} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    if column in TEXT:
        return f"CASE WHEN left({quoted}, 1) IN {FORMULA_START} THEN '''' || {quoted} ELSE {quoted} END"
    return quoted


def _header() -> bytes:
    legend = CONFIDENTIALITY_LEGEND
    legend = "'" + legend if legend[:1] in ("=", "+", "-", "@", "\t", "\r") else legend
    quoted = '"' + legend.replace('"', '""') + '"'
    return f"{quoted}\n{','.join(COLUMNS)}\n".encode()


def csv_chunks(filters: selectors.EventFilters, up_to_sequence: int) -> Iterator[bytes]:
    cells = {f"cell{n}": RawSQL(_cell(column), ()) for n, column in enumerate(COLUMNS)}  # noqa: S611
    queryset = selectors.events(filters, up_to_sequence=up_to_sequence).order_by("sequence")
    sql, params = queryset.annotate(**cells).values_list(*cells).query.sql_with_params()
    yield _header()
    with connection.cursor() as cursor:
        # COPY takes no parameters: psycopg binds the query's own parameters into its text.
        query = cursor.cursor.mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                yield bytes(block)


def span(
    filters: selectors.EventFilters, up_to_sequence: int
) -> tuple[int, dict[str, Any] | None, dict[str, Any] | None]:
    """How many events the export holds, and its first and last (sequence and hash)."""
    queryset = selectors.events(filters, up_to_sequence=up_to_sequence)
    summary = queryset.aggregate(count=Count("pk"), first=Min("sequence"), last=Max("sequence"))
    if not summary["count"]:
        return 0, None, None
    ends = dict(
        AuditEvent.objects.filter(sequence__in=[summary["first"], summary["last"]]).values_list("sequence", "hash")
    )
    first = {"sequence": summary["first"], "hash": ends[summary["first"]]}
    last = {"sequence": summary["last"], "hash": ends[summary["last"]]}
    return summary["count"], first, last
