"""HHS staff work a request through the API (the same services and rules as the admin), and
auditors search the trail."""

from __future__ import annotations

from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.models import RatingRequest
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, otp, place_orders, request_in_state
from tests.ratings.api.test_requests_api import client_for


def _act(client, rr, action: str, body: dict):
    url = f"/api/v1/requests/{rr.reference}/"
    return client.post(f"{url}{action}/", body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])


def test_intake_review_and_approval_through_the_api_issue_the_orders(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    intake, reviewer, approver = client_for(cast.intake), client_for(cast.reviewer), client_for(cast.approver)

    accepted = _act(intake, rr, "accept-for-review", {"reviewer": cast.reviewer.pk})
    recommended = _act(
        reviewer, rr, "recommend", {"outcome": "approve", "rationale": "Sound.", "checklist": CHECKLIST_ALL_TRUE}
    )
    with django_capture_on_commit_callbacks(execute=True):
        approved = _act(approver, rr, "approve", {"password": PASSWORD, "otp": otp(cast.approver), "reason": "Ok."})

    assert [r.status_code for r in (accepted, recommended, approved)] == [200, 200, 200], approved.content
    assert approved.json()["state"] == RequestState.ISSUED
    # the applicant's authorized signer places the order under the authorization (45 CFR 101.32(a)(3))
    place_orders(cast, RatingRequest.objects.get(pk=rr.pk))
    orders = client_for(cast.applicant).get(f"/api/v1/requests/{rr.reference}/orders/").json()["results"]
    assert [o["status"] for o in orders] == ["issued"]


def test_approval_needs_a_right_code_and_an_approving_official_both_refusals_audited(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED)

    by_applicant = _act(client_for(cast.applicant), rr, "approve", {"password": PASSWORD, "otp": "123456"})
    wrong_code = _act(client_for(cast.approver), rr, "approve", {"password": PASSWORD, "otp": "000000"})

    assert (by_applicant.status_code, wrong_code.status_code) == (403, 403)
    assert "code" in wrong_code.json()["detail"]
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.RECOMMENDED
    assert AuditEvent.objects.filter(action="rating_request.approve", outcome="denied").count() == 2


def test_auditors_search_the_trail_and_others_may_not(cast):
    rr = request_in_state(cast, RequestState.SUBMITTED)

    found = client_for(cast.auditor).get("/api/v1/audit/events/", {"reference": rr.reference}).json()["results"]
    refused = client_for(cast.applicant).get("/api/v1/audit/events/")

    assert [e["action"] for e in found] == ["rating_request.submit", "rating_request.create"]
    assert refused.status_code == 403
