"""The applicant's side of a return for correction: told, edits the request, resubmits it."""

from __future__ import annotations

from django.urls import reverse

from ratings.constants import RequestState
from ratings.models import RatingRequest, RequestSubmission
from ratings.services.requests import corrections
from tests.factories import request_in_state
from tests.portal.conftest import future


def returned(cast) -> RatingRequest:
    return corrections.rating_request_return_for_correction(
        rating_request=request_in_state(cast, RequestState.IN_REVIEW),
        actor=cast.reviewer,
        reason="Item 1: the quantity must match the supplier's quote.",
    )


def test_the_home_and_the_request_page_say_what_to_correct(cast, applicant_client):
    rr = returned(cast)
    home = applicant_client.get(reverse("portal:dashboard")).content.decode()
    page = applicant_client.get(reverse("portal:request-detail", args=[rr.pk])).content.decode()

    assert "Returned by HHS for correction" in home and rr.reference in home
    assert "HHS returned this request for correction" in page
    assert "Item 1: the quantity must match the supplier&#x27;s quote." in page
    assert reverse("portal:request-details", args=[rr.pk]) in page
    assert "Review, certify and resubmit" in page
    assert "Returned to the applicant for correction" in page  # the timeline, with the reason


def test_the_applicant_corrects_the_items_and_resubmits_with_a_note(cast, applicant_client):
    rr = returned(cast)
    items = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-supplier": str(cast.supplier_org.pk),
        "items-0-po_number": "PO-1",
        "items-0-description": "Filtration skid",
        "items-0-part_number": "PN-1",
        "items-0-quantity": "12",
        "items-0-unit": "each",
        "items-0-required_dates": future(),
        "version": str(rr.version),
    }
    saved = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items)
    assert saved.status_code == 302
    review = applicant_client.get(reverse("portal:request-review", args=[rr.pk])).content.decode()
    assert "What HHS asked you to correct" in review and "Certify and resubmit to HHS" in review

    response = applicant_client.post(
        reverse("portal:request-review", args=[rr.pk]),
        {"typed_name": "Alice Applicant", "certify": "on", "note": "Quantity now 12, as quoted."},
    )

    assert response["Location"] == reverse("portal:request-detail", args=[rr.pk])
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert (rr.state, rr.assigned_reviewer) == (RequestState.IN_REVIEW, cast.reviewer)
    latest = RequestSubmission.objects.get(request=rr, number=2)
    assert (latest.applicant_note, latest.content["items"][0]["quantity"]) == ("Quantity now 12, as quoted.", "12")
