"""The CSV export from COPY holds exactly what the row-by-row renderer writes: same columns,
same neutralised text, same canonical timestamps; JSON cells hold the same values."""

from __future__ import annotations

import csv
import io
import json

import pytest

from audit import copy_export, exports, selectors
from audit import services as audit
from audit.models import AuditEvent

AWKWARD = ["=1+2", "@cmd", 'quote " and, comma', "line\nbreak", "é 漢字", "-3", ""]
JSON_COLUMNS = {"actor_roles", "changes", "data"}


@pytest.mark.django_db
def test_copy_rows_match_the_renderer_cell_for_cell():
    for n, text in enumerate(AWKWARD):
        audit.record(action="x.note", actor=None, reason=text, object_label=text, data={"b": [n, text], "a": None})
    filters = selectors.EventFilters.parse({"action": "x.note"})
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    copied = list(csv.reader(io.StringIO(b"".join(copy_export.csv_chunks(filters, head)).decode(), newline="")))
    rendered_bytes = b"".join(
        chunk for chunk, _ in exports.render("csv", selectors.iterate_ascending(filters, up_to_sequence=head))
    )
    rendered = list(csv.reader(io.StringIO(rendered_bytes.decode(), newline="")))

    assert copied[:2] == rendered[:2]  # legend and column names
    assert len(copied) == len(rendered) == 2 + len(AWKWARD)
    for copy_row, render_row in zip(copied[2:], rendered[2:], strict=True):
        for column, copy_cell, render_cell in zip(exports.COLUMNS, copy_row, render_row, strict=True):
            if column in JSON_COLUMNS:
                assert json.loads(copy_cell) == json.loads(render_cell), column
            else:
                assert copy_cell == render_cell, column


@pytest.mark.django_db
def test_the_span_names_first_and_last_events():
    events = [audit.record(action="x.note", actor=None, reason=str(n)) for n in range(3)]
    filters = selectors.EventFilters.parse({"action": "x.note"})
    count, first, last = copy_export.span(filters, events[-1].sequence)
    assert count == 3
    assert first == {"sequence": events[0].sequence, "hash": events[0].hash}
    assert last == {"sequence": events[-1].sequence, "hash": events[-1].hash}
