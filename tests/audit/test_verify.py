"""`manage.py audit_verify`: intact chain -> exit 0 and a summary; tampering behind the
triggers' back -> an error naming the exact first bad sequence number."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit import services as audit
from audit.chain import compute_hash
from audit.models import AuditEvent


def _chain(length: int = 5) -> list[AuditEvent]:
    return [audit.record(action="test.event", actor=None, reason=f"event {n}") for n in range(1, length + 1)]


@contextmanager
def behind_the_triggers_back() -> Iterator[object]:
    """What a DBA with table-owner rights could do: switch the append-only triggers off."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            yield cursor
        finally:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def _verify_error() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())
    return str(raised.value)


def test_an_intact_chain_verifies_with_a_summary(db):
    # given
    events = _chain()
    out = StringIO()

    # when
    call_command("audit_verify", stdout=out)

    # then: call_command returning (no CommandError) is exit status 0
    assert out.getvalue().strip() == (
        f"Audit chain intact: 5 events, head sequence 5, head hash {events[-1].hash}. 0 signed checkpoints verified."
    )


def test_an_empty_trail_verifies(db):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("Audit chain intact: 0 events, head sequence 0")


@pytest.mark.parametrize("field", ["reason", "actor_label", "occurred_at", "to_state", "data"])
def test_a_changed_row_is_named(transactional_db, field):
    # given
    _chain()
    values = {
        "reason": "'rewritten'",
        "actor_label": "'Someone Else'",
        "occurred_at": "occurred_at + interval '1 second'",
        "to_state": "'approved'",
        "data": """'{"forged": true}'::jsonb""",
    }

    # when
    with behind_the_triggers_back() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {field} = {values[field]} WHERE sequence = 3")  # noqa: S608

    # then
    message = _verify_error()
    assert "sequence 3" in message
    assert message == (
        "Audit chain BROKEN at sequence 3: sequence 3 was altered: its content no longer matches its hash. "
        "2 events verified before it."
    )


def test_a_changed_row_with_a_recomputed_hash_breaks_the_next_link(transactional_db):
    # given: the forger also recomputes row 3's hash; row 4 still points at the old one
    _chain()
    forged = AuditEvent.objects.get(sequence=3)
    forged.reason = "rewritten"
    new_hash = compute_hash(audit.event_fields(forged))

    # when
    with behind_the_triggers_back() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s, hash = %s WHERE sequence = 3", ["rewritten", new_hash])

    # then
    assert "BROKEN at sequence 4: sequence 4 does not link to the previous row" in _verify_error()


def test_a_removed_row_is_named(transactional_db):
    _chain()

    with behind_the_triggers_back() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 3")

    message = _verify_error()
    assert "BROKEN at sequence 3: sequence 3 is missing (next row found is 4)" in message


def test_a_removed_last_row_goes_unnoticed_by_the_chain_alone(transactional_db):
    # Without a checkpoint, truncating the tail leaves a shorter valid chain; signed checkpoints
    # (tests/audit/test_checkpoints.py) are what catch it.
    events = _chain()

    with behind_the_triggers_back() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 5")

    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"head sequence 4, head hash {events[3].hash}" in out.getvalue()


def test_an_inserted_row_is_named(transactional_db):
    # given: rows 3..5 moved up by one, and a forged row put in at 3, linked and hashed correctly
    events = _chain()
    forged = AuditEvent(**{**audit.event_fields(events[2]), "reason": "forged", "prev_hash": events[1].hash})
    forged.hash = compute_hash(audit.event_fields(forged))

    # when
    with behind_the_triggers_back() as cursor:
        cursor.execute("UPDATE audit_auditevent SET sequence = sequence + 1000 WHERE sequence >= 3")
        cursor.execute("UPDATE audit_auditevent SET sequence = sequence - 999 WHERE sequence >= 1003")
        forged.save(force_insert=True)

    # then: the forged row itself verifies; the original row 3, now at 4, no longer links
    assert "BROKEN at sequence 4: sequence 4 does not link to the previous row" in _verify_error()


def test_a_row_inserted_with_a_wrong_link_is_named(transactional_db):
    events = _chain()
    extra = AuditEvent(**{**audit.event_fields(events[-1]), "sequence": 6, "prev_hash": "0" * 64})
    extra.hash = compute_hash(audit.event_fields(extra))

    with behind_the_triggers_back():
        extra.save(force_insert=True)

    assert "BROKEN at sequence 6: sequence 6 does not link to the previous row" in _verify_error()


def test_reordered_rows_are_named(transactional_db):
    # given: rows 2 and 3 swap places
    _chain()

    # when
    with behind_the_triggers_back() as cursor:
        cursor.execute("UPDATE audit_auditevent SET sequence = 1002 WHERE sequence = 2")
        cursor.execute("UPDATE audit_auditevent SET sequence = 2 WHERE sequence = 3")
        cursor.execute("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 1002")

    # then
    assert "BROKEN at sequence 2: sequence 2 does not link to the previous row" in _verify_error()


def test_the_triggers_are_back_on_after_tampering(transactional_db):
    _chain(2)
    with behind_the_triggers_back():
        pass

    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(reason="x")
