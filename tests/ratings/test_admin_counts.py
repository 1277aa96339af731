"""Large changelists count the rows they list from the planner's estimate unless the user
narrowed the list; no second count of the unfiltered list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dpa_portal import pagination
from ratings.constants import RequestState, Role
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db


def _counts(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("SELECT COUNT(", "EXPLAIN"))]


@pytest.mark.parametrize(
    ("url", "table"),
    [("/admin/ratings/ratingrequest/", "ratings_ratingrequest"), ("/admin/ratings/ratedorder/", "ratings_ratedorder")],
)
def test_the_changelists_estimate_their_size_unless_the_user_filters(client, cast, monkeypatch, url, table):
    # given two issued requests with their orders, and a low threshold
    for _ in range(2):
        request_in_state(cast, RequestState.ISSUED)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 1)
    groups_ensure()[ROLE_GROUP[Role.REVIEWER]].user_set.add(cast.reviewer)  # admin permissions, as seed_demo gives
    client.force_login(cast.reviewer)
    # when a reviewer opens the list, sorted and paged but not narrowed
    unfiltered = _counts(client, url + "?o=1&p=1")
    # then no COUNT(*) of the listed table: the planner's estimate
    assert not [sql for sql in unfiltered if table in sql and "COUNT(" in sql]
    # and with a search of the reviewer's, the count is exact, and counted once
    searched = [sql for sql in _counts(client, url + "?q=PRR") if table in sql]
    assert len(searched) == 1 and "COUNT(" in searched[0]
