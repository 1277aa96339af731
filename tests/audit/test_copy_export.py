"""The CSV export from COPY is byte for byte what the row-by-row writer (Python's csv module)
gives for the same events: same cells, same quoting, same CRLF line ends, same JSON text."""

from __future__ import annotations

import pytest

from audit import copy_export, exports, selectors
from audit import services as audit
from audit.models import AuditEvent

AWKWARD = [
    "=1+2",
    "@cmd",
    "+1",
    "-3",
    "\tTAB first",
    "\rCR first",
    'quote " and, comma',
    "line\nbreak",
    "crlf\r\ninside",
    "lone\rcr",
    " leading and trailing space ",
    "é 漢字 🙂",
    "ctrl \x01 \x02 \x1f",
    '\x01{"looks": "like a marked cell", "a": 1}',
    "\x01[1e-07]",
    "back\\slash",
    "=",
    "'already quoted",
    "",
]
JSON_VALUES = [
    {},
    {"b": 1, "aa": 2},
    {"zeta": [1, 2], "a": {"bb": "x", "c": [0.5, 1e-07, 1.0, -2.5e-05]}, "longer key": True},
    {"only": "=formula"},
    {"list": ["a", "b, c", {"y": 1, "x": 2}]},
    {"n": 12345678901234567890, "f": 0.1, "neg": -0.0001, "big": 1e16},
    {"s": 'quote " and \\ and \n'},
    [1e-07],
    [0.5, {"b": 1, "a": 2}],
]


def _copy_and_render(filters: selectors.EventFilters) -> tuple[bytes, bytes]:
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    copied = b"".join(copy_export.csv_chunks(filters, head))
    rendered = b"".join(
        chunk for chunk, _ in exports.render("csv", selectors.iterate_ascending(filters, up_to_sequence=head))
    )
    return copied, rendered


@pytest.mark.django_db
def test_copy_bytes_are_the_writer_bytes_on_awkward_values():
    # given: awkward text in every kind of text field, awkward JSON, empty and absent numbers
    for n, text in enumerate(AWKWARD):
        audit.record(
            action="x.note",
            actor=None,
            reason=text,
            object_label=text,
            object_id=text[:60],
            reference=text[:60],
            from_state=text[:40],
            organization_id=n if n % 2 else None,
            changes=JSON_VALUES[n % len(JSON_VALUES)],
            data={"t": text} if n % 2 else {"b": [n, text], "a": None},
        )
    filters = selectors.EventFilters.parse({"action": "x.note"})

    # when
    copied, rendered = _copy_and_render(filters)

    # then
    assert rendered.count(b"\r\n") >= 2 + len(AWKWARD)
    assert copied == rendered


@pytest.mark.django_db
def test_chunks_of_plain_rows_and_rows_to_rewrite_give_the_same_bytes(settings, monkeypatch):
    # given: enough rows for several chunks, a few of them with a cell to rewrite or a line break
    monkeypatch.setattr(copy_export, "FLUSH_BYTES", 2048)
    for n in range(60):
        audit.record(
            action="x.note",
            actor=None,
            reason="line\nbreak" if n % 17 == 0 else f"plain {n}",
            data={"b": n, "aa": 1} if n % 13 == 0 else {"i": n},
        )
    filters = selectors.EventFilters.parse({"action": "x.note"})

    # when
    chunks = list(copy_export.csv_chunks(filters, 10**9))
    copied, rendered = _copy_and_render(filters)

    # then
    assert len(chunks) > 3
    assert copied == rendered == b"".join(chunks)


@pytest.mark.django_db
def test_the_span_names_first_and_last_events():
    events = [audit.record(action="x.note", actor=None, reason=str(n)) for n in range(3)]
    filters = selectors.EventFilters.parse({"action": "x.note"})
    count, first, last = copy_export.span(filters, events[-1].sequence)
    assert count == 3
    assert first == {"sequence": events[0].sequence, "hash": events[0].hash}
    assert last == {"sequence": events[-1].sequence, "hash": events[-1].hash}
