"""Auditor workspace: filters, keyset pages, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import access, selectors, services
from audit.models import AuditEvent
from ratings.constants import RequestState
from tests.factories import OrganizationFactory, UserFactory, request_in_state

pytestmark = pytest.mark.django_db


def _search(client, user, **params):
    client.force_login(user)
    return client.get(reverse("audit:search"), params)


def _sequences(response):
    return [e.sequence for e in response.context["page"].events]


@pytest.fixture
def trail(cast):
    approved = request_in_state(cast, RequestState.APPROVED)
    other = request_in_state(cast, RequestState.SUBMITTED)
    return approved, other


def test_no_filter_lists_newest_first(client, cast, trail):
    response = _search(client, cast.auditor)
    assert response.status_code == 200
    seqs = _sequences(response)
    assert seqs == sorted(seqs, reverse=True)
    assert seqs[0] == AuditEvent.objects.order_by("-sequence").first().sequence


def test_filter_by_reference_covers_the_orders_under_the_request(client, cast, trail):
    approved, _ = trail
    response = _search(client, cast.auditor, reference=approved.reference)
    order = approved.rated_orders.get()
    # the request, the rating authorization approval signed, and the order placed under it
    expected = list(
        AuditEvent.objects.filter(reference__in=[approved.reference, approved.authorization.number, order.order_number])
        .order_by("-sequence")
        .values_list("sequence", flat=True)
    )
    assert _sequences(response) == expected
    actions = [e.action for e in response.context["page"].events]
    assert "rating_authorization.issue" in actions and "rated_order.place" in actions


def test_filter_by_actor_id_and_name(client, cast, trail):
    by_id = _sequences(_search(client, cast.auditor, actor=str(cast.approver.pk)))
    expected = list(AuditEvent.objects.filter(actor_id=cast.approver.pk).values_list("sequence", flat=True))
    assert sorted(by_id) == sorted(expected) and expected
    by_name = _sequences(_search(client, cast.auditor, actor="Omar"))
    assert sorted(by_name) == sorted(expected)


def test_filter_by_organization(client, cast, trail):
    seqs = _sequences(_search(client, cast.auditor, organization=str(cast.manufacturer.pk)))
    expected = list(AuditEvent.objects.filter(organization_id=cast.manufacturer.pk).values_list("sequence", flat=True))
    assert sorted(seqs) == sorted(expected) and expected


def test_filter_by_action_exact_and_prefix(client, cast, trail):
    exact = _sequences(_search(client, cast.auditor, action="rating_request.approve"))
    assert [AuditEvent.objects.get(sequence=s).action for s in exact] == ["rating_request.approve"]
    prefix = _sequences(_search(client, cast.auditor, action="rating_request."))
    assert prefix and all(AuditEvent.objects.get(sequence=s).action.startswith("rating_request.") for s in prefix)


def test_filter_by_outcome_and_reason_text(client, cast, trail):
    services.record(action="x.denied", actor=cast.applicant, outcome="denied", reason="Forbidden zebra")
    denied = _sequences(_search(client, cast.auditor, outcome="denied"))
    assert [AuditEvent.objects.get(sequence=s).action for s in denied] == ["x.denied"]
    text = _sequences(_search(client, cast.auditor, q="ZEBRA"))
    assert text == denied


def test_filter_by_date_range(client, cast, trail):
    old = AuditEvent.objects.order_by("sequence").first()
    today = old.occurred_at.date()
    assert _sequences(_search(client, cast.auditor, date_from=str(today + dt.timedelta(days=1)))) == []
    assert _sequences(_search(client, cast.auditor, date_to=str(today - dt.timedelta(days=1)))) == []
    in_range = _sequences(_search(client, cast.auditor, date_from=str(today), date_to=str(today)))
    assert len(in_range) == min(AuditEvent.objects.count(), 50)


def test_bad_filter_is_a_clear_400(client, cast, trail):
    response = _search(client, cast.auditor, date_from="yesterday")
    assert response.status_code == 400
    assert b"date_from: give a date as YYYY-MM-DD" in response.content


def test_keyset_pages_cover_everything_once(client, cast, trail, settings, django_assert_max_num_queries):
    settings.AUDIT_SEARCH_PAGE_SIZE = 7
    seen: list[int] = []
    params: dict[str, str] = {}
    client.force_login(cast.auditor)
    while True:
        response = client.get(reverse("audit:search"), params)
        seen += _sequences(response)
        if not response.context["next_query"]:
            break
        params = {"before": str(response.context["page"].next_before)}
    assert seen == list(
        AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).filter(sequence__in=seen)
    )
    assert len(seen) == len(set(seen))
    assert set(seen) >= set(AuditEvent.objects.filter(sequence__lte=seen[0]).values_list("sequence", flat=True))


def test_page_query_uses_no_count(cast, trail, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        selectors.page(selectors.EventFilters(), before=None, size=10)
    assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()


def test_non_auditor_is_refused_with_one_denied_event(client, cast, trail):
    client.force_login(cast.applicant)
    before = AuditEvent.objects.order_by("-sequence").first().sequence
    response = client.get(reverse("audit:search"))
    assert response.status_code == 403
    assert list(AuditEvent.objects.filter(sequence__gt=before).values_list("action", "outcome")) == [
        ("audit.workspace", "denied")
    ]


def test_hhs_staff_with_view_permission_may_search(client, cast, trail):
    cast.reviewer.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    response = _search(client, cast.reviewer)
    assert response.status_code == 200


def test_anonymous_goes_to_login(client, trail):
    response = client.get(reverse("audit:search"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_workspace_rule_comes_from_the_app_that_owns_the_roles(cast, monkeypatch):
    view = Permission.objects.get(codename="view_auditevent")
    cast.applicant.user_permissions.add(view)
    cast.reviewer.user_permissions.add(view)
    applicant = type(cast.applicant).objects.get(pk=cast.applicant.pk)  # fresh permission cache
    reviewer = type(cast.reviewer).objects.get(pk=cast.reviewer.pk)
    # ratings' rule: the auditor role, or HHS staff holding the permission; never an applicant
    assert (access.may_audit(cast.auditor), access.may_audit(reviewer), access.may_audit(applicant)) == (
        True,
        True,
        False,
    )
    # audit's own default when no app registers a rule: the Django permission alone
    monkeypatch.setattr(access, "_policy", [access.has_view_permission])
    auditor = type(cast.auditor).objects.get(pk=cast.auditor.pk)
    assert (access.may_audit(auditor), access.may_audit(reviewer), access.may_audit(applicant)) == (False, True, True)
    assert access.may_audit(None) is False


def test_the_search_reads_no_list_of_people_or_organizations_and_a_reference_scope_is_one_statement(
    client, cast, trail
):
    approved, _ = trail
    client.force_login(cast.auditor)

    def statements(**params):
        client.get(reverse("audit:search"), params)  # warm the session's reads
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("audit:search"), params).status_code == 200
        return [q["sql"] for q in queries]

    latest, by_reference = statements(), statements(reference=approved.reference)
    for sql in (*latest, *by_reference):
        assert 'FROM "ratings_organization"' not in sql
    # the scope's one statement, in place of nothing for the latest events
    assert len(by_reference) == len(latest) + 1
    UserFactory.create_batch(5)
    OrganizationFactory.create_batch(5)
    assert (len(statements()), len(statements(reference=approved.reference))) == (len(latest), len(by_reference))
