"""The REST API: manufacturers' systems prepare, certify and submit requests."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from ratings.api.request_serializers import RatingRequestSummarySerializer
from ratings.constants import RequestState, TokenScope
from ratings.models import ApiToken, RatingRequest
from tests.factories import request_in_state

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user, scope: str = TokenScope.READ_WRITE) -> APIClient:
    client = APIClient()
    _token, secret = ApiToken.objects.create(user=user, expiry=dt.timedelta(days=1), name="test", scope=scope)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def payload(cast, **overrides):
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = {
        "government_program": "Pandemic vaccine production",
        "category": "vaccine",
        "health_resource": "mRNA vaccine",
        "requested_level": "DO",
        "program": "HR",
        "justification_need": "Need skids.",
        "justification_efforts": "Asked three suppliers.",
        "justification_impact": "Doses deferred.",
        "end_use": "Fill-finish of vaccine doses for the national stockpile.",
        "fda_status": "bla",
        "fda_number": "BLA 125742",
        "line_items": [
            {
                "supplier": cast.supplier_org.pk,
                "po_number": "PO-77",
                "description": "Filtration skid",
                "quantity": "4",
                "unit": "each",
                "deliveries": [{"required_date": due}],
            }
        ],
    }
    body.update(overrides)
    return body


def test_an_applicant_creates_a_draft_through_the_api(cast):
    # when
    response = client_for(cast.applicant).post("/api/v1/requests/", payload(cast), format="json")

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["rating"] == "DO-HR"
    assert body["applicant_organization"] == cast.manufacturer.legal_name
    assert body["line_items"][0]["po_number"] == "PO-77"
    assert response["Location"] == f"http://testserver/api/v1/requests/{body['reference']}/"
    assert response["ETag"] == client_for(cast.applicant).get(response["Location"])["ETag"]
    rr = RatingRequest.objects.get(reference=body["reference"])
    assert AuditEvent.objects.filter(action="rating_request.create", reference=rr.reference).count() == 1


def test_asap_as_a_date_is_a_400_problem_and_nothing_is_stored(cast):
    bad = payload(cast)
    bad["line_items"][0]["deliveries"] = [{"required_date": "ASAP"}]

    response = client_for(cast.applicant).post("/api/v1/requests/", bad, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["field"] == "line_items[1].deliveries[1].required_date"
    assert problem["detail"].startswith("“ASAP” is not a date: the required delivery date of item 1 must be")
    assert RatingRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_missing_fields_are_a_400_problem_listing_them(cast):
    response = client_for(cast.applicant).post("/api/v1/requests/", {"category": "vaccine"}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"government_program", "health_resource", "requested_level", "program"}
    assert RatingRequest.objects.count() == 0


def test_another_manufacturers_request_is_not_found(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant2)

    assert client.get(f"/api/v1/requests/{rr.reference}/").status_code == 404
    response = client.post(
        f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "x"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 404
    rr.refresh_from_db()
    assert rr.state == RequestState.DRAFT
    assert client.get("/api/v1/requests/").json()["results"] == []


def test_submit_needs_the_typed_name_and_then_submits(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/submit/"

    wrong = client.post(url, {"typed_name": "Someone Else", "certify": True}, format="json", HTTP_IF_MATCH="*")
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "typed_name"
    rr.refresh_from_db()
    assert (rr.state, rr.version) == (RequestState.DRAFT, 1)

    etag = client.get(f"/api/v1/requests/{rr.reference}/")["ETag"]
    ok = client.post(
        url, {"typed_name": cast.applicant.printed_name, "certify": True}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200
    assert ok.json()["state"] == "submitted"
    assert ok.json()["certified_name"] == cast.applicant.printed_name


def test_a_stale_if_match_is_a_412_and_changes_nothing(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)

    response = client.post(
        f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "Not needed"}, format="json", HTTP_IF_MATCH='"99"'
    )

    assert response.status_code == 412
    assert response.json()["type"] == "urn:dpa-portal:problem:precondition_failed"
    rr.refresh_from_db()
    assert rr.state == RequestState.DRAFT


def test_an_auditor_cannot_create_and_the_refusal_is_audited(cast):
    before = AuditEvent.objects.count()

    response = client_for(cast.auditor).post("/api/v1/requests/", payload(cast), format="json")

    assert response.status_code == 403
    assert RatingRequest.objects.count() == 0
    events = list(AuditEvent.objects.filter(sequence__gt=before))
    assert [(e.action, e.outcome) for e in events] == [("rating_request.create", "denied")]


def test_anonymous_callers_get_401_problem(db):
    response = APIClient().get("/api/v1/requests/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_attachments_are_checked_by_content(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/attachments/"

    fake = io.BytesIO(b"MZ\x90\x00 not a pdf at all")
    fake.name = "quote.pdf"
    refused = client.post(url, {"file": fake}, format="multipart", HTTP_IF_MATCH="*")
    assert refused.status_code == 400
    assert "not an accepted file" in refused.json()["detail"]

    real = io.BytesIO(PDF_BYTES)
    real.name = "quote.pdf"
    accepted = client.post(url, {"file": real}, format="multipart", HTTP_IF_MATCH="*")
    assert accepted.status_code == 201
    assert accepted.json()["content_type"] == "application/pdf"
    assert rr.attachments.count() == 1


def test_the_applicant_answers_a_question_through_the_api(cast):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    client = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/respond/"

    empty = client.post(url, {"response": "  "}, format="json", HTTP_IF_MATCH="*")
    assert empty.status_code == 400
    answered = client.post(url, {"response": "Quote attached."}, format="json", HTTP_IF_MATCH="*")

    assert answered.status_code == 200
    assert answered.json()["state"] == "in_review"
    assert answered.json()["information_requests"][0]["response"] == "Quote attached."


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_api_is_documented_for_signed_in_users(cast, path):
    response = client_for(cast.applicant).get(path)

    assert response.status_code == 200


def _beyond(cast, case: str) -> list[dict]:
    item = payload(cast)["line_items"][0]
    days = [(timezone.localdate() + dt.timedelta(days=n)).isoformat() for n in range(1, 61)]
    return {
        "1E12": [item, {**item, "quantity": "1E12"}],
        "0.0001": [item, {**item, "quantity": "0.0001"}],
        "60 dates": [item, {**item, "deliveries": [{"required_date": day} for day in days]}],
        "51 items": [item] * 51,
        "huge supplier id": [{**item, "supplier": 10**30}],
    }[case]


LIMITS = [
    ("1E12", "line_items[2].quantity", "Item 2: the quantity “1E12” is too large"),
    ("0.0001", "line_items[2].quantity", "Item 2: the quantity “0.0001” has too many decimal places"),
]
SHAPES = [
    ("60 dates", {"line_items": {"1": {"deliveries": ["Ensure this field has no more than 20 elements."]}}}),
    ("51 items", {"line_items": ["Ensure this field has no more than 50 elements."]}),
]


@pytest.mark.parametrize(("case", "field", "detail"), LIMITS)
def test_a_quantity_the_database_cannot_hold_is_a_400_naming_it_and_nothing_is_stored(cast, case, field, detail):
    response = client_for(cast.applicant).post(
        "/api/v1/requests/", payload(cast, line_items=_beyond(cast, case)), format="json"
    )

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["detail"][: len(detail)]) == (field, detail)
    assert (RatingRequest.objects.count(), AuditEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize(("case", "errors"), SHAPES)
def test_too_many_dates_or_items_are_a_400_naming_the_field_and_nothing_is_stored(cast, case, errors):
    response = client_for(cast.applicant).post(
        "/api/v1/requests/", payload(cast, line_items=_beyond(cast, case)), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert (RatingRequest.objects.count(), AuditEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        *[(case, {"field": field}) for case, field, _ in LIMITS],
        ("60 dates", {"errors": {"1": {"deliveries": ["Ensure this field has no more than 20 elements."]}}}),
        ("51 items", {"errors": ["Ensure this field has no more than 50 elements."]}),
        ("huge supplier id", {"field": "line_items[1].supplier"}),
    ],
)
def test_replacing_line_items_beyond_a_limit_is_a_400_and_the_draft_is_unchanged(cast, case, expected):
    rr = request_in_state(cast, RequestState.DRAFT)
    items_before = list(rr.line_items.values_list("po_number", "quantity"))
    events = AuditEvent.objects.count()

    response = client_for(cast.applicant).put(
        f"/api/v1/requests/{rr.reference}/line-items/", _beyond(cast, case), format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 400
    assert {key: response.json()[key] for key in expected} == expected
    rr.refresh_from_db()
    assert (rr.version, list(rr.line_items.values_list("po_number", "quantity"))) == (1, items_before)
    assert AuditEvent.objects.count() == events


def test_the_schema_shows_the_limits(cast):
    schemas = client_for(cast.applicant).get("/api/schema/?format=json").json()["components"]["schemas"]

    item = schemas["LineItemInputRequest"]["properties"]
    assert (
        schemas["RequestCreateRequest"]["properties"]["line_items"]["maxItems"],
        item["deliveries"]["maxItems"],
    ) == (
        50,
        20,
    )
    assert {
        name: item[name]["maxLength"] for name in ("po_number", "description", "part_number", "unit", "ship_to")
    } == {
        "po_number": 60,
        "description": 300,
        "part_number": 100,
        "unit": 30,
        "ship_to": 300,
    }


def test_the_list_gives_what_the_summary_serializer_documents(cast):
    # given a submitted request (with a submission time) and a draft (without), in two states
    submitted = request_in_state(cast, RequestState.SUBMITTED)
    draft = request_in_state(cast, RequestState.DRAFT)

    # when the applicant lists them (the list reads `.values()` rows, not model instances)
    results = client_for(cast.applicant).get("/api/v1/requests/").json()["results"]

    # then each item is exactly what RatingRequestSummarySerializer gives for the request
    by_reference = {item["reference"]: item for item in results}
    for rating_request in (submitted, draft):
        assert by_reference[rating_request.reference] == dict(
            RatingRequestSummarySerializer(RatingRequest.objects.get(pk=rating_request.pk)).data
        )
    assert by_reference[draft.reference]["submitted_at"] is None
