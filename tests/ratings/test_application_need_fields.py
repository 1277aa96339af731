"""What a reviewer needs to judge need (BIS-999 model): per item the supplier's quoted date against
the required date and the order value; per request the contracting agency and officer, the end
use, the FDA regulatory status with its number, related rated orders. One validator, the same
limits for the services, the portal and the API; bad input is a field error, never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from dpa_portal.errors import ValidationFailed
from ratings.constants import RequestState
from ratings.models import LineItemDelivery, RatingRequest, RequestLineItem
from ratings.selectors.submissions import content_diff
from ratings.services.requests import corrections, drafts, need, workflow
from tests.factories import details, draft_request, line_item
from tests.helpers import events_after, last_sequence
from tests.ratings.api.test_requests_api import client_for, payload


def _nothing_stored(start: int) -> None:
    assert (RatingRequest.objects.count(), RequestLineItem.objects.count(), LineItemDelivery.objects.count()) == (
        0,
        0,
        0,
    )
    assert events_after(start) == []


def _submit(rr: RatingRequest, cast) -> RatingRequest:
    return workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )


def test_the_fields_are_stored_and_the_quote_is_set_against_the_first_required_date(cast):
    due = timezone.localdate() + dt.timedelta(days=30)
    rr = drafts.rating_request_create(
        actor=cast.applicant,
        organization=cast.manufacturer,
        details=details(cast, contracting_officer="Carla Contracting", related_rated_orders="A-1, B-2; C-3"),
        line_items=[
            line_item(
                cast.supplier_org,
                dates=[due, due + dt.timedelta(days=30)],
                quoted_date=(due + dt.timedelta(days=45)).isoformat(),
                order_value="$1,250,000.50",
            ),
            line_item(cast.supplier_org2, quoted_date=due - dt.timedelta(days=1), order_value=""),
        ],
    )

    assert (rr.contracting_agency, rr.contracting_officer, rr.fda_status, rr.fda_number) == (
        "BARDA",
        "Carla Contracting",
        "bla",
        "BLA 125742",
    )
    assert rr.related_rated_orders == ["A-1", "B-2", "C-3"]
    first, second = rr.line_items.order_by("position")
    assert (first.quoted_date, first.order_value, first.quoted_days_late) == (
        due + dt.timedelta(days=45),
        Decimal("1250000.50"),
        45,
    )
    assert first.quoted_gap_text == "45 days after the first required date"
    assert (second.order_value, second.quoted_gap_text) == (None, "1 day before the first required date")


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"quoted_date": "ASAP"}, "line_items[1].quoted_date", "“ASAP” is not a date"),
        ({"quoted_date": "2027-02-30"}, "line_items[1].quoted_date", "“2027-02-30” is not a real calendar date"),
        ({"order_value": "a lot"}, "line_items[1].order_value", "Item 1: the order value “a lot” is not an amount"),
        ({"order_value": "0"}, "line_items[1].order_value", "Item 1: the order value must be greater than zero"),
        ({"order_value": "-5"}, "line_items[1].order_value", "Item 1: the order value must be greater than zero"),
        ({"order_value": "1e12"}, "line_items[1].order_value", "is too large"),
        ({"order_value": "NaN"}, "line_items[1].order_value", "is not an amount"),
        ({"order_value": "10.005"}, "line_items[1].order_value", "has more than two decimal places"),
    ],
)
def test_a_bad_quote_or_value_is_a_field_error_and_nothing_is_stored(cast, item, field, message):
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        drafts.rating_request_create(
            actor=cast.applicant,
            organization=cast.manufacturer,
            details=details(cast),
            line_items=[line_item(cast.supplier_org, **item)],
        )

    assert raised.value.field == field
    assert message in raised.value.message
    _nothing_stored(start)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"end_use": "x" * (need.END_USE_MAX_LENGTH + 1)}, "end_use"),
        ({"contracting_agency": "x" * (need.CONTRACTING_AGENCY_MAX_LENGTH + 1)}, "contracting_agency"),
        ({"contracting_officer": "a\x00b"}, "contracting_officer"),
        ({"fda_status": "approved-ish"}, "fda_status"),
        ({"fda_number": "x" * (need.FDA_NUMBER_MAX_LENGTH + 1)}, "fda_number"),
        ({"fda_status": "other", "fda_status_other": "x" * 201}, "fda_status_other"),
        ({"related_rated_orders": [f"R-{n}" for n in range(need.MAX_RELATED_ORDERS + 1)]}, "related_rated_orders"),
        ({"related_rated_orders": "R-1, R-1"}, "related_rated_orders"),
        ({"related_rated_orders": ["x" * (need.RELATED_ORDER_MAX_LENGTH + 1)]}, "related_rated_orders"),
    ],
)
def test_need_fields_beyond_their_limits_are_named(cast, override, field):
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        drafts.rating_request_create(
            actor=cast.applicant,
            organization=cast.manufacturer,
            details=details(cast, **override),
            line_items=[line_item(cast.supplier_org)],
        )

    assert raised.value.field == field
    _nothing_stored(start)


@pytest.mark.parametrize(
    ("override", "missing"),
    [
        ({"end_use": " "}, "describe the end use"),
        ({"fda_status": "", "fda_number": ""}, "give the FDA regulatory status"),
        ({"fda_status": "eua", "fda_number": ""}, "give the Emergency use authorization (EUA) number"),
        ({"fda_status": "other", "fda_status_other": ""}, "describe the FDA regulatory status"),
        ({"contracting_agency": ""}, "name the agency that awarded contract 75A501"),
    ],
)
def test_submission_needs_the_end_use_and_the_fda_status(cast, override, missing):
    rr = draft_request(cast, **override)
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        _submit(rr, cast)

    assert raised.value.message == f"The request is not complete: {missing}."
    fresh = RatingRequest.objects.get(pk=rr.pk)
    assert (fresh.state, fresh.version, fresh.submissions.count()) == (RequestState.DRAFT, rr.version, 0)
    assert events_after(start) == []


@pytest.mark.parametrize(
    "override",
    [
        {"fda_status": "not_regulated", "fda_number": ""},
        {"fda_status": "other", "fda_status_other": "Investigational (IND 27001)", "fda_number": ""},
        {"contract_number": "", "contracting_agency": ""},
    ],
)
def test_what_is_optional_at_submission(cast, override):
    rr = _submit(draft_request(cast, **override), cast)
    assert rr.state == RequestState.SUBMITTED


def test_a_number_or_description_the_status_does_not_take_is_not_kept(cast):
    rr = draft_request(cast, fda_status="not_regulated", fda_number="BLA 1", fda_status_other="left over")
    assert (rr.fda_number, rr.fda_status_other) == ("", "")


def test_each_submission_keeps_the_fields_and_a_resubmission_shows_what_changed(cast):
    rr = _submit(
        draft_request(cast, suppliers=[cast.supplier_org]),
        cast,
    )
    rr = corrections.rating_request_return_for_correction(rating_request=rr, actor=cast.intake, reason="Quote?")
    rr = drafts.rating_request_update(
        rating_request=rr,
        actor=cast.applicant,
        details=details(cast, fda_status="eua", fda_number="EUA 27073", end_use="Field hospitals."),
    )
    quoted = timezone.localdate() + dt.timedelta(days=90)
    rr = drafts.rating_request_set_line_items(
        rating_request=rr,
        actor=cast.applicant,
        line_items=[line_item(cast.supplier_org, po="PO-1", quoted_date=quoted, order_value="5000")],
    )
    rr = corrections.rating_request_resubmit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )

    first, second = rr.submissions.order_by("number")
    assert second.content["details"]["end_use"] == "Field hospitals."
    assert second.content["items"][0]["quoted_date"] == quoted.isoformat()
    changes = {(c.section, c.field): (c.before, c.after) for c in content_diff(first.content, second.content)}
    assert changes[("Details", "FDA regulatory status")] == (
        "Biologics license (BLA)",
        "Emergency use authorization (EUA)",
    )
    assert changes[("Details", "FDA application or approval number")] == ("BLA 125742", "EUA 27073")
    assert changes[("Item 1", "Supplier's quoted date")] == ("—", quoted.isoformat())
    assert changes[("Item 1", "Order value (USD)")] == ("—", "5000.00")


# --- the API -----------------------------------------------------------------------------------


def test_the_api_takes_and_returns_the_fields(cast):
    due = timezone.localdate() + dt.timedelta(days=30)
    body = payload(cast, contracting_agency="BARDA", related_rated_orders=["DO-C9 W15QKN-22-C-0047"])
    body["line_items"][0].update(quoted_date=(due + dt.timedelta(days=60)).isoformat(), order_value="12500.5")

    response = client_for(cast.applicant).post("/api/v1/requests/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("contracting_agency", "end_use", "fda_status", "fda_number")} == {
        "contracting_agency": "BARDA",
        "end_use": "Fill-finish of vaccine doses for the national stockpile.",
        "fda_status": "bla",
        "fda_number": "BLA 125742",
    }
    assert data["related_rated_orders"] == ["DO-C9 W15QKN-22-C-0047"]
    assert (data["line_items"][0]["quoted_date"], data["line_items"][0]["order_value"]) == (
        (due + dt.timedelta(days=60)).isoformat(),
        "12500.50",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_value": "1e40"}, "line_items[1].order_value"),
        ({"quoted_date": "soon"}, "line_items[1].quoted_date"),
    ],
)
def test_bad_item_input_through_the_api_is_a_400_problem_naming_the_field(cast, change, field):
    body = payload(cast)
    body["line_items"][0].update(change)

    response = client_for(cast.applicant).post("/api/v1/requests/", body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["field"] == field
    assert RatingRequest.objects.count() == 0


def test_an_unknown_fda_status_through_the_api_is_a_400(cast):
    response = client_for(cast.applicant).post("/api/v1/requests/", payload(cast, fda_status="maybe"), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"fda_status"}
    assert RatingRequest.objects.count() == 0


def test_the_schema_documents_the_fields():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    details_props = components["RequestCreateRequest"]["properties"]
    for name in ("contracting_agency", "contracting_officer", "end_use", "fda_number", "related_rated_orders"):
        assert details_props[name].get("description"), name
    item_props = components["LineItemInputRequest"]["properties"]
    assert "quoted or promised" in item_props["quoted_date"]["description"]
    assert "US dollars" in item_props["order_value"]["description"]
