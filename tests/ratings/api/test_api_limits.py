"""The API's limits at the edge: NUL bytes anywhere in a call are a 400 problem and store
nothing; supplier organizations are listed only to who names them, without their UEI."""

from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from ratings.constants import RequestState
from ratings.models import Attachment, RatingRequest
from tests.factories import request_in_state
from tests.ratings.api.test_requests_api import PDF_BYTES, client_for, payload

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    "overrides",
    [{"program": "H\x00R"}, {"health_resource": "mRNA\x00vaccine"}, {"line_items": [{"po_number": "PO\x00"}]}],
)
def test_a_nul_byte_in_a_json_body_is_a_400_problem_and_nothing_is_stored(cast, overrides):
    response = client_for(cast.applicant).post("/api/v1/requests/", payload(cast, **overrides), format="json")

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert "NUL" in response.json()["detail"]
    assert RatingRequest.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requests/PRR%00-1/",
        "/api/v1/orders/RO-%00/",
        "/api/v1/assistance-cases/SPA%00/",
        "/api/v1/orders/?status=issued%00",
        "/api/v1/events/?cursor=%00",
    ],
)
def test_a_nul_byte_in_a_path_or_query_is_a_400_problem(cast, path):
    response = client_for(cast.supplier).get(path)

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)


def test_a_nul_byte_in_a_header_or_a_multipart_field_is_a_400_and_nothing_is_stored(cast):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    client = client_for(cast.applicant)
    stream = io.BytesIO(PDF_BYTES)
    stream.name = "quote.pdf"

    keyed = client.post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY="k\x00")
    answered = client.post(
        f"/api/v1/requests/{rr.reference}/respond/",
        {"response": "See\x00attached", "files": [stream]},
        format="multipart",
        HTTP_IF_MATCH="*",
    )

    assert [(r.status_code, r["Content-Type"]) for r in (keyed, answered)] == [(400, PROBLEM), (400, PROBLEM)]
    assert RatingRequest.objects.count() == 1
    assert Attachment.objects.count() == 0
    assert rr.information_requests.get().responded_at is None


def test_who_names_suppliers_lists_them_without_a_uei_and_nobody_else_lists_them(cast):
    cast.supplier_org.uei = "ABCDEFGH1234"
    cast.supplier_org.save(update_fields=["uei"])

    listed = {
        name: client_for(getattr(cast, name)).get("/api/v1/suppliers/").json()["results"]
        for name in ("applicant", "supplier", "intake", "auditor")
    }
    refused = client_for(cast.hhsadmin).get("/api/v1/suppliers/")
    anonymous = APIClient().get("/api/v1/suppliers/")

    for name, results in listed.items():
        assert {frozenset(entry) for entry in results} == {
            frozenset({"id", "legal_name", "city", "state", "country"})
        }, name
        assert "ABCDEFGH1234" not in str(results), name
    assert (refused.status_code, refused["Content-Type"]) == (403, PROBLEM)
    assert anonymous.status_code == 401
