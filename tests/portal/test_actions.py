"""Answering HHS's question, withdrawing, and script payloads rendered inert."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.models import RatingRequest
from tests.factories import draft_request, request_in_state
from tests.portal.conftest import ESCAPED, PDF, SCRIPT, details_post, item_row, items_post, snapshot

pytestmark = pytest.mark.django_db


def test_answer_with_a_file_goes_back_to_review(cast, applicant_client, tmp_path):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    path = tmp_path / "quote.pdf"
    path.write_bytes(PDF)
    with path.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-respond", args=[rr.pk]), {"response": "Quote attached.", "file": handle}
        )
    assert response["Location"] == reverse("portal:request-detail", args=[rr.pk])
    rr = RatingRequest.objects.get(pk=rr.pk)
    question = rr.information_requests.get()
    assert (rr.state, question.response, question.responded_by) == (
        RequestState.IN_REVIEW,
        "Quote attached.",
        cast.applicant,
    )
    assert list(question.attachments.values_list("original_name", flat=True)) == ["quote.pdf"]


def test_an_empty_answer_is_refused_and_nothing_changes(cast, applicant_client):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    before = snapshot(rr)
    response = applicant_client.post(reverse("portal:request-respond", args=[rr.pk]), {"response": " "})
    assert response.status_code == 400
    assert response.context["respond_form"].errors == {"response": ["This field is required."]}
    assert snapshot(rr) == before


def test_an_answer_with_a_fake_pdf_is_refused_and_the_text_kept(cast, applicant_client, tmp_path):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    before = snapshot(rr)
    path = tmp_path / "quote.pdf"
    path.write_bytes(b"<html>not a pdf</html>")
    with path.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-respond", args=[rr.pk]), {"response": "Typed answer kept", "file": handle}
        )
    assert response.status_code == 400
    assert list(response.context["respond_form"].errors) == ["file"]
    assert "Typed answer kept" in response.content.decode()
    assert snapshot(rr) == before


@pytest.mark.parametrize("state", [RequestState.DRAFT, RequestState.IN_REVIEW, RequestState.APPROVED])
def test_answering_when_no_question_is_open_is_refused(cast, applicant_client, state):
    rr = request_in_state(cast, state)
    before = snapshot(rr)
    response = applicant_client.post(reverse("portal:request-respond", args=[rr.pk]), {"response": "Hello"})
    assert response.status_code == 400
    assert response.context["respond_form"].non_field_errors() == ["There is no open question to answer."]
    assert snapshot(rr) == before


def test_withdraw_with_a_reason(cast, applicant_client):
    rr = request_in_state(cast, RequestState.IN_REVIEW)
    assert applicant_client.get(reverse("portal:request-withdraw", args=[rr.pk])).status_code == 200
    response = applicant_client.post(
        reverse("portal:request-withdraw", args=[rr.pk]), {"reason": "Supplier delivered."}
    )
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert response["Location"] == reverse("portal:request-detail", args=[rr.pk])
    assert (rr.state, rr.withdrawal_reason) == (RequestState.WITHDRAWN, "Supplier delivered.")
    timeline = applicant_client.get(reverse("portal:request-detail", args=[rr.pk])).context["timeline"]
    assert (timeline[-1].what, timeline[-1].who, timeline[-1].why) == (
        "Withdrawn",
        "Alice Applicant",
        "Supplier delivered.",
    )


@pytest.mark.parametrize("state", [RequestState.APPROVED, RequestState.DENIED, RequestState.WITHDRAWN])
def test_withdraw_after_the_decision_is_refused_and_nothing_changes(cast, applicant_client, state):
    rr = request_in_state(cast, state)
    before = snapshot(rr)
    response = applicant_client.post(reverse("portal:request-withdraw", args=[rr.pk]), {"reason": "Changed my mind"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        f"Request {rr.reference} is {RatingRequest.objects.get(pk=rr.pk).get_state_display().lower()}; it cannot be withdrawn now."
    ]
    assert snapshot(rr) == before


def test_script_payloads_in_every_text_field_are_stored_as_text_and_shown_escaped(cast, applicant_client):
    # Step 1: every text field gets the payload.
    text_fields = [
        "government_program",
        "contract_number",
        "contracting_agency",
        "contracting_officer",
        "fda_number",
        "related_rated_orders",
        "end_customer",
        "health_resource",
    ]
    data = details_post(cast, **{name: SCRIPT for name in text_fields})
    response = applicant_client.post(reverse("portal:request-create"), data)
    rr = RatingRequest.objects.get()
    # Step 2 and 3: every item text field and the justification.
    item_text = ["po_number", "description", "part_number", "unit"]
    rows = [item_row(cast.supplier_org, **{name: SCRIPT for name in item_text})]
    applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post(rows))
    justification = {
        name: SCRIPT for name in ("end_use", "justification_need", "justification_efforts", "justification_impact")
    }
    response = applicant_client.post(reverse("portal:request-justification", args=[rr.pk]), justification)
    assert response.status_code == 302
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert (rr.government_program, rr.justification_impact, rr.line_items.get().description) == (SCRIPT, SCRIPT, SCRIPT)
    assert (rr.contracting_officer, rr.fda_number, rr.end_use, rr.related_rated_orders) == (
        SCRIPT,
        SCRIPT,
        SCRIPT,
        [SCRIPT],
    )
    # Every page that shows them escapes them.
    for name in ("portal:request-review", "portal:request-detail", "portal:request-details", "portal:request-items"):
        page = applicant_client.get(reverse(name, args=[rr.pk])).content.decode()
        assert SCRIPT not in page, name
        assert ESCAPED in page, name
    page = applicant_client.get(reverse("portal:request-list")).content.decode()
    assert SCRIPT not in page


def test_script_payload_in_an_invalid_form_is_kept_escaped(cast, applicant_client):
    # A payload in the signature, the answer, the withdrawal reason and the search box.
    rr = draft_request(cast)
    response = applicant_client.post(
        reverse("portal:request-review", args=[rr.pk]), {"typed_name": SCRIPT, "certify": "on"}
    )
    assert SCRIPT not in response.content.decode()
    assert ESCAPED in response.content.decode()
    response = applicant_client.get(reverse("portal:request-list"), {"q": SCRIPT})
    assert SCRIPT not in response.content.decode()
    assert ESCAPED in response.content.decode()
    question = request_in_state(cast, RequestState.INFO_REQUESTED)
    applicant_client.post(reverse("portal:request-respond", args=[question.pk]), {"response": SCRIPT})
    page = applicant_client.get(reverse("portal:request-detail", args=[question.pk])).content.decode()
    assert (SCRIPT in page, ESCAPED in page) == (False, True)
    other = request_in_state(cast, RequestState.SUBMITTED)
    applicant_client.post(reverse("portal:request-withdraw", args=[other.pk]), {"reason": SCRIPT})
    page = applicant_client.get(reverse("portal:request-detail", args=[other.pk])).content.decode()
    assert (SCRIPT in page, ESCAPED in page) == (False, True)
    assert AuditEvent.objects.filter(action="rating_request.withdraw", reason=SCRIPT).count() == 1


def test_script_payloads_in_non_text_inputs_are_refused_and_shown_escaped(cast, applicant_client, client):
    # Quantity and dates: refused beside the field, the payload echoed back escaped.
    rr = draft_request(cast)
    before = snapshot(rr)
    for field in ("quantity", "required_dates"):
        rows = [item_row(cast.supplier_org, **{field: SCRIPT})]
        response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post(rows))
        assert list(response.context["formset"].forms[0].errors) == [field]
        assert (SCRIPT in response.content.decode(), ESCAPED in response.content.decode()) == (False, True)
    assert snapshot(rr) == before
    # The sign-in and password-reset forms echo what was typed, escaped.
    response = client.post(reverse("login"), {"username": SCRIPT, "password": "x"})
    assert (SCRIPT in response.content.decode(), ESCAPED in response.content.decode()) == (False, True)
    response = client.post(reverse("password_reset"), {"email": SCRIPT})
    assert (SCRIPT in response.content.decode(), ESCAPED in response.content.decode()) == (False, True)
