"""What the API's views share (ratings/api/base.py): a list's filters narrow it to exactly the value
given, and a caller who belongs to several organizations names the one a new thing is for."""

from __future__ import annotations

from ratings.constants import RequestState, Role
from ratings.models import Membership, RatingRequest, WebhookEndpoint
from ratings.services.webhooks import events
from tests.factories import request_in_state
from tests.ratings.api.test_requests_api import client_for, payload

ENDPOINT = {"url": "https://erp.filtra.example/dpa", "event_types": ["order.issued"]}


def test_a_list_filter_keeps_exactly_the_rows_with_the_value_given(cast):
    draft = request_in_state(cast, RequestState.DRAFT)
    submitted = request_in_state(cast, RequestState.SUBMITTED)
    events.event_publish(type="order.issued", organization_ids=[cast.supplier_org.pk], data={"n": 1})
    events.event_publish(type="order.amended", organization_ids=[cast.supplier_org.pk], data={"n": 2})
    applicant, supplier = client_for(cast.applicant), client_for(cast.supplier)

    drafts = applicant.get("/api/v1/requests/?state=draft").json()["results"]
    sent = applicant.get("/api/v1/requests/?state=submitted").json()["results"]
    every = applicant.get("/api/v1/requests/").json()["results"]
    amended = supplier.get("/api/v1/events/?type=order.amended").json()["results"]

    assert [r["reference"] for r in drafts] == [draft.reference]
    assert [r["reference"] for r in sent] == [submitted.reference]
    assert [r["reference"] for r in every] == [draft.reference, submitted.reference]
    assert [(e["type"], e["data"]) for e in amended] == [("order.amended", {"n": 2})]


def test_an_applicant_for_several_manufacturers_names_the_one_a_draft_is_for(cast):
    Membership.objects.create(user=cast.applicant, organization=cast.manufacturer2, role=Role.APPLICANT)
    api = client_for(cast.applicant)

    unnamed = api.post("/api/v1/requests/", payload(cast), format="json")
    named = api.post("/api/v1/requests/", payload(cast, organization=cast.manufacturer2.pk), format="json")

    assert (unnamed.status_code, unnamed.json()["field"], unnamed.json()["detail"]) == (
        400,
        "organization",
        "You are an applicant for several organizations; name one in 'organization'.",
    )
    assert (named.status_code, named.json()["applicant_organization"]) == (201, cast.manufacturer2.legal_name)
    assert list(RatingRequest.objects.values_list("applicant_organization", flat=True)) == [cast.manufacturer2.pk]


def test_a_contact_of_several_organizations_names_the_one_an_endpoint_is_for(cast):
    Membership.objects.create(user=cast.supplier, organization=cast.supplier_org2, role=Role.SUPPLIER_CONTACT)
    api = client_for(cast.supplier)

    unnamed = api.post("/api/v1/webhooks/", ENDPOINT, format="json")
    named = api.post("/api/v1/webhooks/", {**ENDPOINT, "organization": cast.supplier_org2.pk}, format="json")

    assert (unnamed.status_code, unnamed.json()["field"], unnamed.json()["detail"]) == (
        400,
        "organization",
        "You belong to several organizations; name one in 'organization'.",
    )
    assert named.status_code == 201
    assert list(WebhookEndpoint.objects.values_list("organization", flat=True)) == [cast.supplier_org2.pk]
