"""A manufacturer's system discards drafts, removes and downloads attachments, and answers HHS
with files, through the API: exact answers, one audit event each, and refusals change nothing."""

from __future__ import annotations

import io

from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.models import Attachment, RatingRequest
from ratings.services.requests import attachments, workflow
from tests.factories import request_in_state
from tests.ratings.api.test_requests_api import PDF_BYTES, client_for

PROBLEM = "application/problem+json"


def state(rr: RatingRequest) -> tuple:
    rr = RatingRequest.objects.get(pk=rr.pk)
    return (
        rr.state,
        rr.version,
        sorted(rr.attachments.values_list("pk", flat=True)),
        AuditEvent.objects.filter(outcome="success").count(),
    )


def etag(client, rr: RatingRequest) -> str:
    return client.get(f"/api/v1/requests/{rr.reference}/")["ETag"]


def upload(name: str = "quote.pdf", content: bytes = PDF_BYTES) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def attached(cast, rr: RatingRequest, **kwargs) -> Attachment:
    return attachments.attachment_add(
        rating_request=rr, actor=cast.applicant, stream=upload(), original_name="quote.pdf", **kwargs
    )


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-sequence").first()


# --- discarding a draft ---------------------------------------------------------------------


def test_the_applicant_discards_a_draft_and_it_stays_in_the_record(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)

    response = client.delete(f"/api/v1/requests/{rr.reference}/", HTTP_IF_MATCH=etag(client, rr))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["withdrawal_reason"]) == ("withdrawn", "Draft discarded by the applicant.")
    assert response["ETag"] == etag(client, rr)
    event = last_event("rating_request.withdraw")
    assert (event.outcome, event.actor, event.from_state, event.to_state, event.reference) == (
        "success",
        cast.applicant,
        "draft",
        "withdrawn",
        rr.reference,
    )
    assert event.data["credential"].startswith("api_token:")


def test_a_submitted_request_is_not_discarded_and_nothing_changes(cast):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    client = client_for(cast.applicant)
    before = state(rr)

    response = client.delete(f"/api/v1/requests/{rr.reference}/", HTTP_IF_MATCH=etag(client, rr))

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert "withdraw a submitted request with a reason" in response.json()["detail"]
    assert state(rr) == before


def test_discarding_needs_if_match_and_another_manufacturer_cannot(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    before = state(rr)

    unconditional = client_for(cast.applicant).delete(f"/api/v1/requests/{rr.reference}/")
    other = client_for(cast.applicant2).delete(f"/api/v1/requests/{rr.reference}/", HTTP_IF_MATCH="*")

    assert (unconditional.status_code, other.status_code) == (428, 404)
    assert state(rr) == before


# --- attachments ----------------------------------------------------------------------------


def test_the_applicant_removes_an_attachment_from_a_draft(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    attachment = attached(cast, rr)
    client = client_for(cast.applicant)

    response = client.delete(
        f"/api/v1/requests/{rr.reference}/attachments/{attachment.pk}/", HTTP_IF_MATCH=etag(client, rr)
    )

    assert response.status_code == 200, response.content
    assert response.json()["attachments"] == []
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    event = last_event("attachment.remove")
    assert (event.outcome, event.actor, event.reference) == ("success", cast.applicant, rr.reference)
    assert event.data["name"] == "quote.pdf" and event.data["sha256"] == attachment.sha256


def test_an_attachment_of_a_submitted_request_stays_and_the_refusal_changes_nothing(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    attachment = attached(cast, rr)
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    client = client_for(cast.applicant)
    before = state(rr)

    response = client.delete(
        f"/api/v1/requests/{rr.reference}/attachments/{attachment.pk}/", HTTP_IF_MATCH=etag(client, rr)
    )

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert state(rr) == before
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_another_manufacturer_neither_removes_nor_downloads_an_attachment(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    attachment = attached(cast, rr)
    other = client_for(cast.applicant2)
    url = f"/api/v1/requests/{rr.reference}/attachments/{attachment.pk}/"
    before = state(rr)

    assert other.delete(url, HTTP_IF_MATCH="*").status_code == 404
    assert other.get(url).status_code == 404
    assert state(rr) == before


def test_an_attachment_downloads_with_a_token_and_the_download_is_audited(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    attachment = attached(cast, rr)
    client = client_for(cast.applicant)
    url = client.get(f"/api/v1/requests/{rr.reference}/").json()["attachments"][0]["download_url"]

    response = client.get(url)

    assert url == f"/api/v1/requests/{rr.reference}/attachments/{attachment.pk}/"
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert (response["Content-Type"], response["ETag"]) == ("application/pdf", f'"{attachment.sha256[:32]}"')
    assert response["Content-Disposition"] == 'attachment; filename="quote.pdf"'
    event = last_event("attachment.download")
    assert (event.outcome, event.actor, event.data["sha256"]) == ("success", cast.applicant, attachment.sha256)
    assert event.data["credential"].startswith("api_token:")


# --- answers with files ---------------------------------------------------------------------


def test_an_answer_carries_its_files_which_stay_with_the_question(cast):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    client = client_for(cast.applicant)
    question = rr.information_requests.get()

    response = client.post(
        f"/api/v1/requests/{rr.reference}/respond/",
        {
            "response": "Quote and dose plan attached.",
            "files": [upload("quote.pdf"), upload("doses.csv", b"week,doses\n1,2000000\n")],
        },
        format="multipart",
        HTTP_IF_MATCH=etag(client, rr),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "in_review"
    assert body["information_requests"][0]["response"] == "Quote and dose plan attached."
    assert sorted((a["original_name"], a["content_type"]) for a in body["attachments"]) == [
        ("doses.csv", "text/csv"),
        ("quote.pdf", "application/pdf"),
    ]
    assert set(Attachment.objects.filter(request=rr).values_list("information_request", flat=True)) == {question.pk}
    actions = list(
        AuditEvent.objects.filter(reference=rr.reference, outcome="success")
        .order_by("-sequence")
        .values_list("action", flat=True)[:3]
    )
    assert actions == ["rating_request.respond", "attachment.add", "attachment.add"]


def test_an_answer_with_a_refused_file_is_not_sent_and_nothing_changes(cast):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    client = client_for(cast.applicant)
    before = state(rr)

    response = client.post(
        f"/api/v1/requests/{rr.reference}/respond/",
        {"response": "See attached.", "files": [upload("quote.pdf", b"MZ\x90\x00 a program")]},
        format="multipart",
        HTTP_IF_MATCH=etag(client, rr),
    )

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response.json()["field"] == "file"
    assert state(rr) == before
    assert rr.information_requests.get().responded_at is None
