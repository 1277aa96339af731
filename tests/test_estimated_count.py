"""Admin changelists of large tables take the planner's row estimate instead of COUNT(*)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from audit.models import AuditEvent
from dpa_portal import pagination
from dpa_portal.pagination import EstimatedCountPaginator


@pytest.fixture
def events(db):
    for n in range(3):
        audit.record(action="test.event", actor=None, reason=f"event {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")


def _count(queryset) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(queryset, 50).count
    return count, [q["sql"] for q in queries.captured_queries]


def test_a_large_unfiltered_table_is_estimated_not_counted(events, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 2)
    count, sql = _count(AuditEvent.objects.order_by("-sequence"))
    assert count == 3
    assert len(sql) == 1 and "reltuples" in sql[0]


def test_a_small_table_or_a_filtered_list_is_counted_exactly(events, monkeypatch):
    count, sql = _count(AuditEvent.objects.all())
    assert count == 3 and "COUNT(*)" in sql[-1]
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 2)
    count, sql = _count(AuditEvent.objects.filter(reason="event 1"))
    assert count == 1 and len(sql) == 1 and "COUNT(*)" in sql[0]


def test_a_list_narrowed_only_by_the_viewers_scope_takes_the_planners_estimate_of_that_query(events, monkeypatch):
    # given a large list whose only filter is the scope the viewer may see
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 2)
    scoped = AuditEvent.objects.filter(sequence__gte=1)
    paginator = EstimatedCountPaginator(scoped, 50)
    paginator.scope_only = True
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    # then the count is the planner's estimate of that query, no COUNT(*)
    assert count == 3
    assert len(queries) == 1 and queries[0]["sql"].startswith("EXPLAIN")


def test_an_empty_scope_is_counted_as_nothing_not_explained(events, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 2)
    paginator = EstimatedCountPaginator(AuditEvent.objects.filter(sequence__in=[]), 50)
    paginator.scope_only = True
    assert paginator.count == 0
