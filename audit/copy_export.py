"""The CSV export straight from PostgreSQL's `COPY ... TO STDOUT`, byte for byte what the
row-by-row writer (`exports.render`, Python's csv module) gives for the same events.

PostgreSQL does the work per cell: formulas neutralised (a leading apostrophe, as `neutralize`),
the canonical timestamp, the quoting (its CSV rules are Python's: quote a cell holding a comma,
a quote, CR or LF). What differs is patched per chunk of about FLUSH_BYTES, not per row:

- COPY ends rows with LF, Python with CRLF. PostgreSQL sends one row per CopyData message, so a
  chunk whose LF count equals its row count has no LF inside a cell and is patched with one
  replace; otherwise each row's last byte is.
- COPY quotes an empty string unless NULL is spelled otherwise: NULL is '=', which no cell can
  equal (a text cell starting with '=' is neutralised), and nothing is NULL (COALESCE).
- PostgreSQL orders an object's keys by length first and prints small numbers without an
  exponent; Python sorts keys and writes 1e-07. A JSON cell that might differ (an object with two
  keys or more, anything nested in an array, a number below 0.0001, a bare scalar) is sent
  marked (\\x01, a comma and a token drawn for this export, which no stored text can know in
  advance) and Python rewrites just those cells. The comma makes COPY quote every marked cell, so
  the rewrite looks for one literal prefix (a fast scan) instead of trying a pattern at each quote.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min
from django.db.models.expressions import RawSQL

from audit import selectors
from audit.chain import HASHED_FIELDS
from audit.chain_ranges import json_encoder, parse_json
from audit.constants import CONFIDENTIALITY_LEGEND
from audit.models import AuditEvent

COLUMNS = (*HASHED_FIELDS, "hash")
JSON_COLUMNS = ("actor_roles", "changes", "data")
NUMBER_COLUMNS = ("sequence", "actor_id", "organization_id")
# Every other column but the timestamp is text a spreadsheet reads.
TEXT = set(COLUMNS) - {*JSON_COLUMNS, *NUMBER_COLUMNS, "occurred_at"}
# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset(FORMULA_PREFIXES)
FORMULA_CODES = "(" + ", ".join(str(ord(char)) for char in FORMULA_PREFIXES) + ")"
assert all(ord(char) < 65 for char in FORMULA_PREFIXES)
FLUSH_BYTES = 64 * 1024
# json.dumps(value, sort_keys=True, ensure_ascii=False), its default separators.
_json_text = json_encoder(", ", ": ")


def neutralize(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + value if value and value[0] in FORMULA_CHARS else value


def cell(value: Any) -> str:
    """One exported value as its CSV cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, dict | list):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        return neutralize(_json_text(value))
    return str(value)


def csv_writer(buffer: io.StringIO) -> Any:
    return csv.writer(buffer, lineterminator="\r\n")


def header() -> str:
    """The confidentiality legend and the column names, as the first two rows."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([neutralize(CONFIDENTIALITY_LEGEND)])
    writer.writerow(COLUMNS)
    return buffer.getvalue()


def _cell_sql(column: str, mark: str) -> str:
    """The cell of `column`, over the inner query's row `e` (JSON columns as their text)."""
    quoted = f"e.{connection.ops.quote_name(column)}"
    if column == "occurred_at":
        return f"""to_char({quoted} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    if column in NUMBER_COLUMNS:
        return f"coalesce({quoted}::text, '')"
    if column in JSON_COLUMNS:
        text = f"e.{connection.ops.quote_name(column + '_text')}"
        return (
            f"CASE WHEN {text} = '{{}}' OR {text} = '[]' THEN {text} "
            f"WHEN strpos({text}, '0.0000') = 0 AND CASE left({text}, 1) "
            f"WHEN '{{' THEN strpos({text}, ', \"') = 0 WHEN '[' THEN strpos({text}, '{{') = 0 "
            f"ELSE false END THEN {text} ELSE E'\\x01,{mark}' || coalesce({text}, 'null') END"
        )
    # Every formula character sorts below 'A' (65), so one comparison settles most cells; text
    # columns are NOT NULL (no coalesce).
    return (
        f"CASE WHEN ascii({quoted}) < 65 AND ascii({quoted}) IN {FORMULA_CODES} THEN '''' || {quoted} ELSE {quoted} END"
    )


def _quoted(text: str) -> bytes:
    """A cell as the csv module quotes it (QUOTE_MINIMAL)."""
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        text = '"' + text.replace('"', '""') + '"'
    return text.encode("utf-8")


def _json_cell(match: re.Match[bytes]) -> bytes:
    return _quoted(cell(parse_json(match.group(1).replace(b'""', b'"'))))


class _Patcher:
    """Turns a chunk of COPY rows into what the csv module writes. The JSON mark carries a random
    token drawn for this export, so no text in the trail can pass for one."""

    def __init__(self, mark: str):
        self.mark = b"\x01," + mark.encode()
        # A marked JSON cell, always quoted (the mark holds a comma), its quotes doubled.
        self.cells = re.compile(re.escape(b'"' + self.mark) + b'([^"]*(?:""[^"]*)*)"')

    def __call__(self, rows: list[bytes]) -> bytes:
        data = b"".join(rows)
        if data.count(b"\n") == len(rows):  # no line break inside a cell (JSON text never has one raw)
            if self.mark in data:
                data = self.cells.sub(_json_cell, data)
            return data.replace(b"\n", b"\r\n")
        return b"".join(self.cells.sub(_json_cell, row[:-1]) + b"\r\n" for row in rows)


def copy_statement(filters: selectors.EventFilters, up_to_sequence: int, mark: str) -> str:
    """The COPY: an inner query picks the events in order (each JSON document turned to text
    once; OFFSET 0 keeps it from being merged into the outer one), the outer one makes the cells."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    texts = {
        f"{name}_text": RawSQL(f"{table}.{connection.ops.quote_name(name)}::text", ())  # noqa: S611
        for name in JSON_COLUMNS
    }
    plain = [column for column in COLUMNS if column not in JSON_COLUMNS]
    queryset = selectors.events(filters, up_to_sequence=up_to_sequence).order_by("sequence")
    inner, params = queryset.annotate(**texts).values_list(*plain, *texts).query.sql_with_params()
    cells = ", ".join(_cell_sql(column, mark) for column in COLUMNS)
    with connection.cursor() as cursor:
        # COPY takes no parameters: psycopg binds the query's own parameters into its text.
        query = cursor.cursor.mogrify(f"SELECT {cells} FROM ({inner} OFFSET 0) AS e", params)  # noqa: S608
    return f"COPY ({query}) TO STDOUT (FORMAT csv, NULL '=')"


def csv_chunks(filters: selectors.EventFilters, up_to_sequence: int) -> Iterator[bytes]:
    """The CSV file in chunks of about FLUSH_BYTES (memory stays flat at any size)."""
    yield header().encode("utf-8")
    mark = secrets.token_hex(8)
    patch = _Patcher(mark)
    with connection.cursor() as cursor, cursor.cursor.copy(copy_statement(filters, up_to_sequence, mark)) as copy:
        rows: list[bytes] = []
        size = 0
        for block in copy:
            rows.append(bytes(block))
            size += len(block)
            if size >= FLUSH_BYTES:
                yield patch(rows)
                rows, size = [], 0
        if rows:
            yield patch(rows)


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
