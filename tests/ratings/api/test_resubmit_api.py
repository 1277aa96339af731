"""A request HHS returned for correction, through the API: what to correct, edit, resubmit."""

from __future__ import annotations

from ratings.constants import RequestState
from ratings.models import RatingRequest, RequestSubmission
from ratings.services.requests import corrections
from tests.factories import request_in_state
from tests.ratings.api.test_requests_api import client_for, payload


def test_a_returned_request_shows_what_to_correct_is_edited_and_resubmitted(cast):
    rr = corrections.rating_request_return_for_correction(
        rating_request=request_in_state(cast, RequestState.SUBMITTED), actor=cast.intake, reason="Four, not ten."
    )
    api = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/"

    read = api.get(url)
    shown = read.json()
    items = api.put(url + "line-items/", payload(cast)["line_items"], format="json", HTTP_IF_MATCH=read["ETag"])
    done = api.post(
        url + "submit/",
        {"typed_name": "Alice Applicant", "certify": True, "note": "Quantity four."},
        format="json",
        HTTP_IF_MATCH=items["ETag"],
    )

    assert (shown["state"], shown["returned_for_correction"]["reason"]) == ("returned", "Four, not ten.")
    assert items.status_code == 200, items.content
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["returned_for_correction"]) == ("submitted", None)
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.SUBMITTED
    second = RequestSubmission.objects.get(request=rr, number=2)
    assert (second.applicant_note, second.content["items"][0]["quantity"]) == ("Quantity four.", "4")
