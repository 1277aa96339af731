"""A rating request in the auditor workspace: its history page shows every event, the
signatures with printed name, time and meaning (21 CFR 11.50), and its legal holds."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit import services
from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.services.requests import holds
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(cast):
    approved = request_in_state(cast, RequestState.APPROVED)
    other = request_in_state(cast, RequestState.SUBMITTED)
    return approved, other


def test_history_shows_signatures_with_name_time_meaning(client, cast, trail):
    approved, _ = trail
    client.force_login(cast.auditor)
    response = client.get(reverse("audit:history", args=[approved.reference]))
    assert response.status_code == 200
    signatures = {sig["meaning"]: sig for _, sig in response.context["signatures"]}
    approval = signatures["Approval of the priority rating"]
    assert approval["printed_name"].startswith("Omar Official")
    event = AuditEvent.objects.get(reference=approved.reference, action="rating_request.approve")
    assert approval["signed_at"] == event.occurred_at.isoformat()
    assert "Certification of the request by the applicant (18 U.S.C. 1001)" in signatures
    assert b"Section 705(d)" in response.content


def test_generic_signature_in_event_data_is_shown(client, cast, trail):
    approved, _ = trail
    services.record(
        action="rated_order.sign",
        actor=cast.approver,
        reference=approved.reference,
        data={
            "signature": {
                "printed_name": "Omar Official",
                "signed_at": "2026-01-02T03:04:05Z",
                "meaning": "Rated order certification",
            }
        },
    )
    client.force_login(cast.auditor)
    response = client.get(reverse("audit:history", args=[approved.reference]))
    assert {
        "printed_name": "Omar Official",
        "signed_at": "2026-01-02T03:04:05Z",
        "meaning": "Rated order certification",
    } in [sig for _, sig in response.context["signatures"]]


def test_history_lists_the_requests_legal_holds(client, cast, trail):
    approved, _ = trail
    cast.hhsadmin.user_permissions.add(Permission.objects.get(codename="place_legalhold"))
    hold = holds.rating_request_hold_place(rating_request=approved, actor=cast.hhsadmin, reason="Matter 26-7")
    client.force_login(cast.auditor)
    response = client.get(reverse("audit:history", args=[approved.reference]))
    assert response.context["holds"] == [hold]
    assert "Legal hold placed" in response.content.decode() and "Matter 26-7 — ACTIVE" in response.content.decode()


def test_history_of_an_unknown_reference_is_404_and_non_auditors_are_refused(client, cast, trail):
    approved, _ = trail
    client.force_login(cast.auditor)
    assert client.get(reverse("audit:history", args=["PRR-1999-99999"])).status_code == 404
    client.force_login(cast.applicant)
    head = AuditEvent.objects.order_by("-sequence").first().sequence
    assert client.get(reverse("audit:history", args=[approved.reference])).status_code == 403
    assert list(AuditEvent.objects.filter(sequence__gt=head).values_list("action", "outcome")) == [
        ("audit.workspace", "denied")
    ]
