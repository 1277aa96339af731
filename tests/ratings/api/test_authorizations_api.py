"""Rating authorizations through the API (45 CFR 101.32(a)(3)): the manufacturer's systems read
what HHS authorized and download the sealed document; its authorized signer places and signs one
rated order per supplier within it; nobody else may, and a refusal changes nothing."""

from __future__ import annotations

import hashlib

import pytest

from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.models import RatedOrder, RatingAuthorization
from ratings.services.requests import workflow
from tests.factories import PASSWORD, otp, request_in_state
from tests.ratings.api.test_requests_api import client_for

PROBLEM = "application/problem+json"


def authorized(cast, capture) -> RatingAuthorization:
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    with capture(execute=True):
        workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
    return RatingAuthorization.objects.get(rating_request=rr)


def placement(authorization: RatingAuthorization, who, **overrides) -> dict:
    item = authorization.items_snapshot[0]
    body = {
        "supplier": item["supplier_id"],
        "po_number": "ACME-PO-77",
        "items": [
            {
                "position": item["position"],
                "quantity": item["quantity"],
                "deliveries": [{"required_date": item["window_end"]}],
            }
        ],
        "password": PASSWORD,
        "otp": otp(who),
    }
    body.update(overrides)
    return body


def place(client, authorization: RatingAuthorization, body: dict):
    etag = client.get(f"/api/v1/authorizations/{authorization.number}/")["ETag"]
    return client.post(
        f"/api/v1/authorizations/{authorization.number}/orders/", body, format="json", HTTP_IF_MATCH=etag
    )


def named(problem: dict) -> str:
    """The input a 400 problem names: the service's `field`, or the one field of the parser's `errors`."""
    return problem.get("field") or "".join(problem.get("errors", {}))


def state(authorization: RatingAuthorization) -> tuple:
    return (
        RatingAuthorization.objects.filter(pk=authorization.pk).values_list("status", "version").get(),
        RatedOrder.objects.count(),
        AuditEvent.objects.filter(outcome="success").count(),
    )


def test_the_manufacturer_reads_its_authorization_and_downloads_the_sealed_document(
    cast, django_capture_on_commit_callbacks
):
    authorization = authorized(cast, django_capture_on_commit_callbacks)
    client = client_for(cast.applicant)

    listed = client.get("/api/v1/authorizations/").json()["results"]
    detail = client.get(f"/api/v1/authorizations/{authorization.number}/").json()
    pdf = client.get(detail["document_url"])

    assert [a["number"] for a in listed] == [authorization.number]
    assert (detail["status"], detail["rating"], detail["request_reference"]) == (
        "active",
        authorization.rating,
        authorization.rating_request.reference,
    )
    assert [(s["supplier_id"], s["order_number"]) for s in detail["suppliers"]] == [(cast.supplier_org.pk, None)]
    assert detail["items"][0]["supplier_id"] == cast.supplier_org.pk
    content = b"".join(pdf.streaming_content)
    assert (pdf.status_code, pdf["Content-Type"], content[:5]) == (200, "application/pdf", b"%PDF-")
    authorization.refresh_from_db()
    assert hashlib.sha256(content).hexdigest() == authorization.document_sha256
    assert (pdf["ETag"], pdf["X-Content-Type-Options"], pdf["Content-Disposition"]) == (
        f'"{authorization.document_sha256[:32]}"',
        "nosniff",
        f'attachment; filename="{authorization.number}-v{authorization.version}-authorization.pdf"',
    )
    event = AuditEvent.objects.get(action="rating_authorization.document_download")
    assert (event.outcome, event.actor) == ("success", cast.applicant)


def test_others_do_not_see_an_authorization(cast, django_capture_on_commit_callbacks):
    authorization = authorized(cast, django_capture_on_commit_callbacks)

    for name in ("applicant2", "supplier"):
        client = client_for(getattr(cast, name))
        assert client.get("/api/v1/authorizations/").json()["results"] == [], name
        assert client.get(f"/api/v1/authorizations/{authorization.number}/").status_code == 404, name
    assert client_for(cast.auditor).get(f"/api/v1/authorizations/{authorization.number}/").status_code == 200


def test_the_authorized_signer_places_a_rated_order_within_the_authorization(cast, django_capture_on_commit_callbacks):
    authorization = authorized(cast, django_capture_on_commit_callbacks)
    client = client_for(cast.signer)

    with django_capture_on_commit_callbacks(execute=True):
        response = place(client, authorization, placement(authorization, cast.signer))

    assert response.status_code == 201, response.content
    order = RatedOrder.objects.get(authorization=authorization)
    assert response["Location"] == f"http://testserver/api/v1/orders/{order.order_number}/"
    body = response.json()
    assert (body["order_number"], body["status"], body["supplier"], body["rating"]) == (
        order.order_number,
        "issued",
        cast.supplier_org.legal_name,
        authorization.rating,
    )
    assert body["versions"][0]["items"][0]["po_number"] == "ACME-PO-77"
    event = AuditEvent.objects.get(action="rated_order.place", outcome="success")
    assert (event.actor, event.reference) == (cast.signer, order.order_number)
    assert event.data["credential"].startswith("api_token:")
    suppliers = client.get(f"/api/v1/authorizations/{authorization.number}/").json()["suppliers"]
    assert suppliers == [
        {
            "supplier_id": cast.supplier_org.pk,
            "supplier": cast.supplier_org.legal_name,
            "order_number": order.order_number,
        }
    ]


@pytest.mark.parametrize(
    ("who", "overrides", "status", "field"),
    [
        ("applicant", {}, 403, None),  # an applicant is not the authorized signer
        ("signer", {"password": "wrong"}, 403, None),
        ("signer", {"supplier": 999999}, 400, "supplier"),
        ("signer", {"po_number": "  "}, 400, "po_number"),
    ],
)
def test_a_placement_refused_changes_nothing(cast, django_capture_on_commit_callbacks, who, overrides, status, field):
    authorization = authorized(cast, django_capture_on_commit_callbacks)
    user = getattr(cast, who)
    before = state(authorization)

    response = place(client_for(user), authorization, placement(authorization, user, **overrides))

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    if field:
        assert named(response.json()) == field
    else:
        denied = AuditEvent.objects.get(action="rated_order.place", outcome="denied")
        assert denied.actor == user
    assert state(authorization) == before


def test_more_than_authorized_or_outside_the_window_is_a_400_naming_the_item(cast, django_capture_on_commit_callbacks):
    authorization = authorized(cast, django_capture_on_commit_callbacks)
    item = authorization.items_snapshot[0]
    client = client_for(cast.signer)
    before = state(authorization)

    too_many = place(
        client,
        authorization,
        placement(
            authorization,
            cast.signer,
            items=[
                {
                    "position": item["position"],
                    "quantity": "100000",
                    "deliveries": [{"required_date": item["window_end"]}],
                }
            ],
        ),
    )
    too_late = place(
        client,
        authorization,
        placement(
            authorization,
            cast.signer,
            items=[{"position": item["position"], "quantity": "1", "deliveries": [{"required_date": "2999-01-01"}]}],
        ),
    )

    assert (too_many.status_code, too_many.json()["field"]) == (400, "items[1].quantity")
    assert (too_late.status_code, too_late.json()["field"]) == (400, "items[1].deliveries[1].required_date")
    assert state(authorization) == before
