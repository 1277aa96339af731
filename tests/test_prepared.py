"""A prepared query gives what its queryset gives, in one statement, compiled once; the
transition path writes only the fields `apply` changed."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from audit import actions
from dpa_portal.prepared import Prepared, as_key, statement_cursor, together
from ratings import permissions
from ratings.models import Membership, Organization, RatingRequest
from ratings.services import retry, transition
from tests.factories import draft_request, make_cast

pytestmark = pytest.mark.django_db

MEMBERSHIPS = Prepared(
    lambda user_id: Membership.objects.filter(user_id=user_id, is_active=True).select_related("organization")
)
REQUESTS = Prepared(lambda pk: RatingRequest.objects.filter(pk=pk).select_related("program"))
ROW_LOCK = Prepared(lambda pk: RatingRequest.objects.select_for_update(of=("self",), no_key=True).filter(pk=pk))
TOUCH = actions.register("test.prepared_touch", "Test: touch a request")


def test_a_prepared_query_gives_what_its_queryset_gives_with_the_related_row_in_one_statement():
    cast = make_cast()
    for user in (cast.applicant, cast.reviewer, cast.approver):
        expected = list(Membership.objects.filter(user_id=user.pk, is_active=True).select_related("organization"))
        with CaptureQueriesContext(connection) as queries:
            found = MEMBERSHIPS.all(user.pk)
            rows = [(m.pk, m.role, m.organization.pk, m.organization.short_name, m.organization.kind) for m in found]
        assert len(queries) == 1
        assert rows == [
            (m.pk, m.role, m.organization.pk, m.organization.short_name, m.organization.kind) for m in expected
        ]
    assert MEMBERSHIPS.all(-1) == []


def test_prepared_queries_sent_together_give_what_each_gives_alone_in_one_round_trip():
    cast = make_cast()
    request = draft_request(cast)
    users = (cast.applicant, cast.reviewer, cast.auditor)
    alone = [[m.pk for m in MEMBERSHIPS.all(user.pk)] for user in users]
    with CaptureQueriesContext(connection) as queries:
        results = together(*((MEMBERSHIPS, (user.pk,)) for user in users), (REQUESTS, (request.pk,)))
    assert len(queries) == 1
    assert [[m.pk for m in found] for found in results[:3]] == alone
    assert [(r.pk, r.program.pk) for r in results[3]] == [(request.pk, request.program.pk)]
    assert together((MEMBERSHIPS, (-1,)), (REQUESTS, (-1,))) == [[], []]


@pytest.mark.django_db(transaction=True)
def test_a_prepared_row_lock_locks_inside_a_transaction_only():
    cast = make_cast()
    rr = draft_request(cast)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            (row,) = ROW_LOCK.all(rr.pk)
        assert "FOR NO KEY UPDATE OF" in queries[0]["sql"]
        assert (row.pk, row.reference, row.state, row.review_checklist) == (
            rr.pk,
            rr.reference,
            rr.state,
            rr.review_checklist,
        )
    with pytest.raises(TransactionManagementError):
        ROW_LOCK.all(rr.pk)


def test_a_query_whose_values_cannot_be_found_is_refused():
    with pytest.raises(ValueError, match="appear once"):
        Prepared(lambda pk: RatingRequest.objects.filter(pk__gt=0)).all(5)


def test_the_transition_writes_the_fields_apply_changed_even_in_place_and_nothing_else(monkeypatch):
    cast = make_cast()
    rr = draft_request(cast)
    # Changed behind the path's back (no lock can see it): a full save would put it back.
    RatingRequest.objects.filter(pk=rr.pk).update(end_customer="written elsewhere")
    action = transition.Action(audit=TOUCH, permission=lambda row, actor: None)

    def apply(row: RatingRequest) -> transition.Applied:
        row.review_checklist["checked"] = True
        row.recommendation_rationale = "why"
        RatingRequest.objects.filter(pk=row.pk).update(contract_number="kept")
        return transition.Applied()

    permissions.forget_memberships(cast.applicant)
    with CaptureQueriesContext(connection) as queries:
        transition.perform(transition.REQUEST, action, target=rr, actor=cast.applicant, apply=apply)
    (update,) = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and '"recommendation_rationale" =' in q["sql"]
    ]
    assert update.split(" WHERE ")[0].count('" = ') == 4  # version, checklist, rationale, updated_at
    row = RatingRequest.objects.get(pk=rr.pk)
    assert (row.review_checklist["checked"], row.recommendation_rationale, row.contract_number, row.version) == (
        True,
        "why",
        "kept",
        rr.version + 1,
    )
    assert row.end_customer == "written elsewhere"


def test_a_prepared_query_takes_text_for_a_text_column():
    cast = make_cast()
    by_username = Prepared(lambda name: type(cast.applicant).objects.filter(username=name))
    assert [u.pk for u in by_username.all(cast.applicant.username)] == [cast.applicant.pk]
    assert [u.pk for u in by_username.all(cast.reviewer.username)] == [cast.reviewer.pk]
    assert by_username.all("nobody") == []


@pytest.mark.parametrize(
    ("value", "key"),
    [("42", 42), (7, 7), ("x", None), (None, None), (2**63, None), (-(2**63), -(2**63)), ("1.5", None)],
)
def test_a_value_is_a_key_only_as_an_integer_a_bigint_column_holds(value, key):
    assert as_key(value) == key


def _server_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


ORGANIZATION = Prepared(lambda pk: Organization.objects.filter(pk=pk))


def test_a_prepared_query_is_parsed_and_planned_once_per_connection_on_the_server(settings):
    cast = make_cast()
    organization = cast.manufacturer

    def prepared_here() -> bool:
        return any('FROM "ratings_organization"' in statement for statement in _server_statements())

    settings.DB_PREPARED_STATEMENTS = False  # behind a pooler that cannot keep them
    assert [o.short_name for o in ORGANIZATION.all(organization.pk)] == [organization.short_name]
    assert not prepared_here()

    settings.DB_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as queries:
        assert [o.short_name for o in ORGANIZATION.all(organization.pk)] == [organization.short_name]
        assert ORGANIZATION.all(-1) == []
    assert len(queries) == 2  # Django's query log still sees them
    assert prepared_here()


PROBE = "SELECT name FROM prepared_probe WHERE id = %s"


@pytest.fixture
def probe_table(transactional_db):
    """A table a statement is prepared on, and a migration from another connection that changes
    the type of the column it returns, as a deploy does while the workers keep their connections."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_probe (id integer PRIMARY KEY, name varchar(10))")
        cursor.execute("INSERT INTO prepared_probe VALUES (1, 'before')")

    def migrate() -> None:
        with psycopg.connect(**connection.get_connection_params()) as migrating:
            migrating.execute("ALTER TABLE prepared_probe ALTER COLUMN name TYPE varchar(40)")
            migrating.execute("UPDATE prepared_probe SET name = 'after'")

    yield migrate
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE prepared_probe")


def _probe() -> list[tuple[str]]:
    with statement_cursor(connection) as cursor:
        cursor.execute(PROBE, [1])
        return cursor.fetchall()  # type: ignore[no-any-return]


def test_a_statement_prepared_before_a_migration_changed_its_columns_is_prepared_again(probe_table):
    assert _probe() == [("before",)]
    probe_table()

    assert _probe() == [("after",)]
    assert _probe() == [("after",)]  # and from then on, prepared as before
    assert PROBE.replace("%s", "$1") in _server_statements()


def test_a_transaction_that_met_a_statement_prepared_before_a_migration_runs_again_whole(probe_table):
    assert _probe() == [("before",)]
    probe_table()
    attempts = []

    def work() -> list[tuple[str]]:
        with transaction.atomic():
            attempts.append(len(attempts) + 1)
            return _probe()

    assert retry.retried(work) == [("after",)]
    assert attempts == [1, 2]
