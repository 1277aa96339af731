"""The append: one statement on PostgreSQL, joining the caller's transaction, hashing exactly
what `compute_hash` hashes whatever the content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from audit.chain import GENESIS_HASH, canonical_bytes, canonical_parts, compute_hash
from audit.models import AuditEvent

AWKWARD = 'quote " backslash \\ newline \n tab \t nul-ish \x01 unicode é — 漢字 emoji 🙂 marker-like \x1f'


@pytest.mark.django_db
def test_awkward_content_hashes_as_compute_hash_does():
    first = audit.record(action="test.event", actor=None, reason=AWKWARD, data={"z": [1, 2.5, None], "a": AWKWARD})
    second = audit.record(
        action="test.event", actor=None, object_label=AWKWARD, changes={"state": ["a", "b"]}, organization_id=7
    )

    stored = list(AuditEvent.objects.order_by("sequence"))
    assert [e.pk for e in stored] == [first.pk, second.pk]
    assert (stored[0].sequence, stored[0].prev_hash) == (1, GENESIS_HASH)
    assert (stored[1].sequence, stored[1].prev_hash) == (2, stored[0].hash)
    for returned, row in zip([first, second], stored, strict=True):
        assert compute_hash(audit.event_fields(row)) == row.hash
        assert (returned.sequence, returned.hash, returned.prev_hash) == (row.sequence, row.hash, row.prev_hash)
    assert stored[0].reason == AWKWARD and stored[0].data == {"a": AWKWARD, "z": [1, 2.5, None]}
    assert audit.verify_chain().ok is True


def test_the_three_canonical_pieces_rebuild_canonical_bytes_whatever_the_content():
    # Nested keys named like the position's fields, and every awkward character, change nothing.
    fields = {
        "occurred_at": dt.datetime(2026, 12, 2, 4, 14, 18, tzinfo=dt.UTC),
        "actor_id": None,
        "actor_label": AWKWARD,
        "actor_roles": ["applicant@Acme"],
        "action": "test.event",
        "outcome": "success",
        "object_type": "",
        "object_id": "7",
        "object_label": '","prev_hash":"',
        "reference": ',"sequence":',
        "organization_id": 3,
        "from_state": "",
        "to_state": "}",
        "reason": AWKWARD,
        "changes": {"prev_hash": ["a", "b"], "sequence": [1, 2]},
        "data": {"z": [1, 2.5, None], "a": AWKWARD},
        "source": "web",
        "request_id": "",
        "client_address": "",
    }
    before_prev, before_sequence, after_sequence = canonical_parts(fields)
    text = before_prev + "f" * 64 + before_sequence + "42" + after_sequence
    assert text.encode("utf-8") == canonical_bytes({**fields, "prev_hash": "f" * 64, "sequence": 42})


@pytest.mark.django_db
def test_a_whole_second_keeps_its_timestamp_format():
    event = audit.record(action="test.event", actor=None)
    row = AuditEvent.objects.get(pk=event.pk)
    assert row.occurred_at == event.occurred_at
    assert compute_hash(audit.event_fields(row)) == row.hash
    assert isinstance(row.occurred_at, dt.datetime)


@pytest.mark.django_db(transaction=True)
def test_the_append_is_one_statement_without_a_savepoint():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        audit.record(action="test.event", actor=None)
    [statement] = [q["sql"] for q in queries.captured_queries]
    assert statement.startswith("SELECT * FROM audit_append(")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_append_leaves_no_gap():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.event", actor=None)
        raise RuntimeError
    event = audit.record(action="test.event", actor=None)
    assert event.sequence == 1
    assert audit.verify_chain().ok is True


@pytest.mark.django_db
def test_a_batch_of_any_size_is_appended_in_one_insert_hashing_what_is_stored():
    audit.record(action="test.event", actor=None)
    events = [
        {"action": "test.event", "object_type": "test.Thing", "object_id": i, "reason": AWKWARD, "data": {"i": i}}
        for i in range(2500)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        returned = audit.record_many(events)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    stored = {e.pk: e for e in AuditEvent.objects.filter(action="test.event", object_type="test.Thing")}
    assert [stored[e.pk].sequence for e in returned] == list(range(2, 2502))
    for event in returned:
        row = stored[event.pk]
        assert (row.hash, row.prev_hash, row.occurred_at, row.data) == (
            event.hash,
            event.prev_hash,
            event.occurred_at,
            event.data,
        )
        assert compute_hash(audit.event_fields(row)) == row.hash
    assert audit.verify_chain().ok is True


def _committed_events() -> int:
    # Another connection sees only what is committed.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            return int(cursor.fetchone()[0])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_the_last_append_of_a_durable_transaction_commits_in_the_same_round_trip():
    after = []
    with CaptureQueriesContext(connection) as queries, transaction.atomic(durable=True):
        transaction.on_commit(lambda: after.append(_committed_events()))
        audit.record(action="test.event", actor=None, commit=True)
        assert _committed_events() == 1  # before the block ends: the chain lock is already free
    [append] = [q["sql"] for q in queries.captured_queries if "audit_append" in q["sql"]]
    assert append.endswith("; COMMIT")
    assert after == [1]
    assert audit.record(action="test.event", actor=None).sequence == 2  # the connection goes on
    assert audit.verify_chain().ok is True


@pytest.mark.django_db(transaction=True)
def test_inside_a_wider_transaction_the_append_leaves_the_commit_to_its_end():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.event", actor=None, commit=True)
        assert _committed_events() == 0
        raise RuntimeError
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_in_the_append_round_trip_leaves_nothing_and_runs_no_callback():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE parent (id int PRIMARY KEY)")
        cursor.execute("CREATE TEMP TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)")
    after = []
    with pytest.raises(IntegrityError), transaction.atomic(durable=True):
        transaction.on_commit(lambda: after.append("ran"))
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO child VALUES (1)")  # checked at COMMIT, like Django's foreign keys
        audit.record(action="test.event", actor=None, commit=True)
    assert (after, _committed_events()) == ([], 0)
    assert audit.record(action="test.event", actor=None).sequence == 1


@pytest.mark.django_db(transaction=True)
def test_a_statement_after_the_committing_append_in_the_same_block_is_refused():
    with pytest.raises(TransactionManagementError), transaction.atomic(durable=True):
        audit.record(action="test.event", actor=None, commit=True)
        AuditEvent.objects.count()  # would run outside the committed transaction
    assert _committed_events() == 1
    assert AuditEvent.objects.count() == 1  # after the block, the connection goes on


@pytest.mark.django_db(transaction=True)
def test_the_same_atomic_reused_as_a_decorator_runs_again_after_a_committing_append():
    @transaction.atomic(durable=True)
    def append_after_a_read() -> int:
        AuditEvent.objects.count()
        return audit.record(action="test.event", actor=None, commit=True).sequence

    assert [append_after_a_read() for _ in range(3)] == [1, 2, 3]
    assert connection.execute_wrappers == []
    assert audit.verify_chain().ok is True
