"""List pages cost the same number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import display
from ratings.constants import RequestState
from ratings.demo.accounts import groups_ensure
from tests.factories import make_cast, request_in_state

PAGES = {
    "applicant": ["/portal/", "/portal/requests/", "/api/v1/requests/", "/notifications/"],
    "supplier": ["/portal/", "/portal/orders/", "/notifications/"],
    "auditor": ["/audit/", "/admin/ratings/ratedorder/", "/admin/ratings/ratingrequest/"],
}


def _issue(cast, count: int, capture) -> None:
    with capture(execute=True):  # document generation and notices, as after a real approval
        for _ in range(count):
            request_in_state(cast, RequestState.ISSUED)


def _query_counts(client, cast) -> dict[str, int]:
    counts = {}
    for role, paths in PAGES.items():
        client.force_login(getattr(cast, role))
        for path in paths:
            client.get(path)  # warm per-session caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            counts[f"{role} {path}"] = len(queries) - _names_people(response)
    return counts


def _names_people(response) -> int:
    """The audit trail reads the names of the people its rows' changes name (assigned reviewer...):
    one statement, made only when its page has such a change; counted apart so the rest is compared."""
    page = response.context.get("page") if response.context else None
    if page is None or not hasattr(page, "events"):
        return 0
    return 1 if display.user_ids(e.changes for e in page.events) else 0


def test_list_pages_make_a_constant_number_of_queries(client, db, django_capture_on_commit_callbacks):
    # given 2 issued requests (with their orders, documents and notices), then 8
    cast = make_cast()
    groups_ensure()["Auditors"].user_set.add(cast.auditor)
    _issue(cast, 2, django_capture_on_commit_callbacks)
    few = _query_counts(client, cast)
    _issue(cast, 6, django_capture_on_commit_callbacks)
    many = _query_counts(client, cast)

    # then every page costs exactly the same
    assert few == many
