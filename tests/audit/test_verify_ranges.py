"""The chain checked in ranges (and in worker processes) reports exactly what one walk in sequence
order reports, above all when the break sits on a range boundary; the database's pieces of the
canonical serialization are byte for byte `chain.canonical_bytes`."""

from __future__ import annotations

import pytest
from django.db import connection

from audit import chain, chain_ranges, verification
from audit import services as audit
from audit.chain import compute_hash
from audit.models import AuditEvent
from tests.audit.test_verify import behind_the_triggers_back

# Nine events in three ranges: 1-3, 4-6, 7-9.
RANGES = 3


def _chain(length: int = 9) -> list[AuditEvent]:
    return [audit.record(action="test.event", actor=None, reason=f"event {n}") for n in range(1, length + 1)]


def _walk() -> verification.ChainReport:
    """The reference: one walk in order through the ORM."""
    return verification.verify_rows(verification._orm_rows())


def _forge(sequence: int, **changes: object) -> tuple[str, str]:
    forged = AuditEvent.objects.get(sequence=sequence)
    for name, value in changes.items():
        setattr(forged, name, value)
    return forged.reason, compute_hash(audit.event_fields(forged))


def test_split_covers_the_chain_in_contiguous_ranges():
    assert verification.split(9, 3) == [(1, 3), (4, 6), (7, 9)]
    assert verification.split(10, 3) == [(1, 4), (5, 7), (8, 10)]
    assert verification.split(2, 4) == [(1, 1), (2, 2)]


def test_an_intact_chain_in_ranges_matches_one_walk(transactional_db):
    events = _chain()

    report = verification.verify_chain(workers=1, ranges=RANGES)

    assert report == _walk() == verification.ChainReport(True, 9, 9, events[-1].hash)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            "UPDATE audit_auditevent SET reason = 'rewritten' WHERE sequence = 4",
            "sequence 4 was altered: its content no longer matches its hash",
        ),
        (
            "UPDATE audit_auditevent SET reason = 'rewritten' WHERE sequence = 3",
            "sequence 3 was altered: its content no longer matches its hash",
        ),
        (
            "DELETE FROM audit_auditevent WHERE sequence = 4",
            "sequence 4 is missing (next row found is 5): a row was removed or renumbered",
        ),
        (
            "DELETE FROM audit_auditevent WHERE sequence = 3",
            "sequence 3 is missing (next row found is 4): a row was removed or renumbered",
        ),
        (
            "DELETE FROM audit_auditevent WHERE sequence BETWEEN 4 AND 6",
            "sequence 4 is missing (next row found is 7): a row was removed or renumbered",
        ),
        (
            "DELETE FROM audit_auditevent WHERE sequence = 1",
            "sequence 1 is missing (next row found is 2): a row was removed or renumbered",
        ),
        (
            "UPDATE audit_auditevent SET prev_hash = repeat('f', 64) WHERE sequence = 7",
            "sequence 7 does not link to the previous row: a row was inserted, removed or reordered",
        ),
    ],
)
def test_a_break_at_a_range_boundary_is_reported_as_one_walk_reports_it(transactional_db, tamper, message):
    # given
    _chain()

    # when
    with behind_the_triggers_back() as cursor:
        cursor.execute(tamper)

    # then
    report = verification.verify_chain(workers=1, ranges=RANGES)
    assert report == _walk()
    assert report.ok is False
    assert report.problem == message


def test_a_forged_last_row_of_a_range_breaks_the_join(transactional_db):
    # given: row 3 (the end of the first range) rewritten with a recomputed hash
    _chain()
    reason, new_hash = _forge(3, reason="rewritten")

    # when
    with behind_the_triggers_back() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s, hash = %s WHERE sequence = 3", [reason, new_hash])

    # then: range 1 holds on its own; the join to range 2 does not
    report = verification.verify_chain(workers=1, ranges=RANGES)
    assert report == _walk()
    assert (report.first_bad_sequence, report.checked, report.head_sequence) == (4, 3, 3)
    assert report.problem.startswith("sequence 4 does not link to the previous row")


def test_a_row_linked_and_hashed_anew_at_a_boundary_is_a_broken_link(transactional_db):
    # given: row 4 now claims another predecessor, its own hash recomputed to match
    events = _chain()
    _, new_hash = _forge(4, prev_hash="e" * 64)

    with behind_the_triggers_back() as cursor:
        cursor.execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE sequence = 4", ["e" * 64, new_hash])

    # then
    report = verification.verify_chain(workers=1, ranges=RANGES)
    assert report == _walk()
    assert report == verification.ChainReport(
        False,
        3,
        3,
        events[2].hash,
        4,
        "sequence 4 does not link to the previous row: a row was inserted, removed or reordered",
    )


def test_a_row_below_the_first_sequence_is_reported(transactional_db):
    # given: a DBA drops the positive-sequence check too and slips a row in at 0
    events = _chain(3)
    stray = AuditEvent(**{**audit.event_fields(events[0]), "sequence": 0})
    stray.hash = compute_hash(audit.event_fields(stray))
    with behind_the_triggers_back() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT audit_sequence_positive")
        stray.save(force_insert=True)
    try:
        # when
        report = verification.verify_chain(workers=1)

        # then
        assert report == _walk()
        assert report.problem == "sequence 1 is missing (next row found is 0): a row was removed or renumbered"
    finally:
        with behind_the_triggers_back() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 0")
            cursor.execute("ALTER TABLE audit_auditevent ADD CONSTRAINT audit_sequence_positive CHECK (sequence >= 1)")


def test_worker_processes_report_what_one_walk_reports(transactional_db, settings):
    # given: parallel from the first event on, four ranges over two processes
    settings.AUDIT_VERIFY_PARALLEL_MIN = 1
    events = _chain(12)
    assert verification.verify_chain(workers=2, ranges=4) == verification.ChainReport(True, 12, 12, events[-1].hash)

    # when: the first row of the third range (7) is removed
    with behind_the_triggers_back() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 7")

    # then
    report = verification.verify_chain(workers=2, ranges=4)
    assert report == _walk()
    assert report.problem == "sequence 7 is missing (next row found is 8): a row was removed or renumbered"


AWKWARD_TEXT = ['quote " backslash \\ slash /', "tab\there\nnewline\r\x01\x1f\x7f", "é 漢字 🙂 \u2028", "=1+2", ""]


def test_the_database_pieces_are_the_canonical_bytes(db):
    # given: awkward text in every kind of field, JSON with keys of several lengths, small floats
    for n, text in enumerate(AWKWARD_TEXT):
        audit.record(
            action="x.note",
            actor=None,
            reason=text,
            object_label=text,
            object_id=text[:60],
            reference=text[:60],
            organization_id=n or None,
            changes={"zeta": [text, None], "a": {"bb": 1, "c": [0.5, 1e-07, 1.0, -3]}, "longer key": True},
            data={"b": 2, "aa": text, "": [], "n": 12345678901234567890},
        )
    connection.ensure_connection()

    # when: the rows come back as the COPY sends them
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(chain_ranges.copy_sql(AuditEvent._meta.db_table, 1, 10**9)) as copy,
    ):
        messages = [bytes(message)[:-1].split(chain_ranges.DELIMITER) for message in copy]

    # then
    events = list(AuditEvent.objects.order_by("sequence"))
    assert len(messages) == len(events) == len(AWKWARD_TEXT)
    for (_, _, _, a, roles, b, changes, c, data, d), event in zip(messages, events, strict=True):
        joined = b"".join(
            (
                a,
                chain_ranges.compact_json(roles),
                b,
                chain_ranges.compact_json(changes),
                c,
                chain_ranges.compact_json(data),
                d,
            )
        )
        assert joined == chain.canonical_bytes(audit.event_fields(event))
    assert verification.verify_chain(workers=1, ranges=2).ok is True
