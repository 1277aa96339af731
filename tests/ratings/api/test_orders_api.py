"""A supplier's system answers its rated orders through the API: reject with reasons (and the
offer of an earliest date), notify a delay, mark fulfilled, extend the rating, download the
signed document; each answer is exact, audited once, and a refusal changes nothing."""

from __future__ import annotations

import hashlib

import pytest

from audit.models import AuditEvent
from ratings.constants import OrderStatus, RatingLevel, RejectionReason
from ratings.models import Notification, RatedOrder, SupplierResponse
from ratings.services.suppliers import responses as sr
from tests.factories import PASSWORD
from tests.ratings.api.test_requests_api import client_for
from tests.ratings.suppliers.conftest import future, issued, supplier_org

PROBLEM = "application/problem+json"


def state(order: RatedOrder) -> tuple:
    """Everything an answer could change."""
    order = RatedOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.current_version,
        SupplierResponse.objects.count(),
        RatedOrder.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(outcome="success").count(),
    )


def post(client, order: RatedOrder, action: str, body: dict | None = None):
    etag = client.get(f"/api/v1/orders/{order.order_number}/")["ETag"]
    return client.post(f"/api/v1/orders/{order.order_number}/{action}/", body or {}, format="json", HTTP_IF_MATCH=etag)


def named(problem: dict) -> str:
    """The input a 400 problem names: the service's `field`, or the one field of the parser's `errors`."""
    return problem.get("field") or "".join(problem.get("errors", {}))


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-sequence").first()


# --- reject ---------------------------------------------------------------------------------


def test_the_supplier_rejects_because_it_cannot_meet_the_date_and_offers_its_earliest(
    cast, django_capture_on_commit_callbacks
):
    order = issued(cast, django_capture_on_commit_callbacks)
    earliest = future(60)

    response = post(
        client_for(cast.supplier),
        order,
        "reject",
        {
            "reason_code": RejectionReason.CANNOT_MEET_DATE,
            "explanation": "Our line is booked until spring.",
            "earliest_date": earliest.isoformat(),
            "offers_to_accept": True,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == OrderStatus.REJECTED
    (answer,) = body["responses"]
    assert {key: answer[key] for key in ("kind", "printed_name", "reason_code", "explanation")} == {
        "kind": "reject",
        "printed_name": cast.supplier.printed_name,
        "reason_code": "cannot_meet_date",
        "explanation": "Our line is booked until spring.",
    }
    assert (answer["earliest_date"], answer["offers_to_accept_on_that_basis"]) == (earliest.isoformat(), True)
    assert response["ETag"] == client_for(cast.supplier).get(f"/api/v1/orders/{order.order_number}/")["ETag"]
    event = last_event("rated_order.reject")
    assert (event.outcome, event.from_state, event.to_state, event.actor) == (
        "success",
        "issued",
        "rejected",
        cast.supplier,
    )
    assert event.data["earliest_date"] == earliest.isoformat()
    assert event.data["offers_to_accept"] is True
    assert event.data["credential"].startswith("api_token:")  # through the API, with a token


def test_an_interference_rejection_names_the_level_it_would_interfere_with(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks, level=RatingLevel.DO)
    client = client_for(cast.supplier)
    body = {
        "reason_code": RejectionReason.INTERFERES_WITH_DO_DX,
        "explanation": "It would delay an accepted DX order.",
        "earliest_date": future(40).isoformat(),
        "offers_to_accept": True,
    }
    before = state(order)

    unnamed = post(client, order, "reject", body)
    assert (unnamed.status_code, unnamed.json()["field"]) == (400, "conflicting_level")
    assert state(order) == before

    named = post(client, order, "reject", {**body, "conflicting_level": RatingLevel.DX})
    assert named.status_code == 200, named.content
    assert named.json()["responses"][0]["conflicting_level"] == "DX"
    assert last_event("rated_order.reject").data["conflicting_level"] == "DX"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason_code": "because", "explanation": "No."}, "reason_code"),
        ({"reason_code": RejectionReason.NOT_SUPPLIED}, "explanation"),
        ({"reason_code": RejectionReason.NOT_SUPPLIED, "explanation": "   "}, "explanation"),
        ({"reason_code": RejectionReason.CANNOT_MEET_DATE, "explanation": "Full."}, "earliest_date"),
        (
            {"reason_code": RejectionReason.CANNOT_MEET_DATE, "explanation": "Full.", "earliest_date": "2020-01-01"},
            "earliest_date",
        ),
        (
            {
                "reason_code": RejectionReason.CANNOT_MEET_DATE,
                "explanation": "Full.",
                "earliest_date": future(30).isoformat(),
            },
            "offers_to_accept",
        ),
    ],
)
def test_a_rejection_missing_what_the_rule_requires_is_a_400_naming_it_and_changes_nothing(
    cast, django_capture_on_commit_callbacks, body, field
):
    order = issued(cast, django_capture_on_commit_callbacks)
    before = state(order)

    response = post(client_for(cast.supplier), order, "reject", body)

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert named(response.json()) == field
    assert state(order) == before


def test_only_the_addressed_supplier_answers_others_are_refused_and_audited(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    body = {"reason_code": RejectionReason.NOT_SUPPLIED, "explanation": "We do not make these."}
    before = state(order)

    elsewhere = client_for(cast.supplier2).post(
        f"/api/v1/orders/{order.order_number}/reject/", body, format="json", HTTP_IF_MATCH="*"
    )
    applicant = post(client_for(cast.applicant), order, "reject", body)

    assert elsewhere.status_code == 404  # another supplier does not see the order at all
    assert (applicant.status_code, applicant["Content-Type"]) == (403, PROBLEM)
    denied = AuditEvent.objects.filter(action="rated_order.reject", outcome="denied")
    assert [e.actor for e in denied] == [cast.applicant]
    assert state(order) == before


# --- delay and fulfilled --------------------------------------------------------------------


def test_after_accepting_the_supplier_notifies_a_delay_with_reasons_and_a_new_date(
    cast, django_capture_on_commit_callbacks
):
    order = issued(cast, django_capture_on_commit_callbacks)
    client = client_for(cast.supplier)
    new_date = future(45)
    before = state(order)

    too_early = post(client, order, "delay", {"reasons": "Resin shortage.", "new_date": new_date.isoformat()})
    assert (too_early.status_code, too_early["Content-Type"]) == (409, PROBLEM)
    assert state(order) == before

    assert post(client, order, "accept").status_code == 200
    response = post(client, order, "delay", {"reasons": "Resin shortage.", "new_date": new_date.isoformat()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == OrderStatus.ACCEPTED  # a delay notice is a record, not a state
    assert [(r["kind"], r["explanation"], r["new_date"]) for r in body["responses"]] == [
        ("accept", "", None),
        ("delay", "Resin shortage.", new_date.isoformat()),
    ]
    event = last_event("rated_order.notify_delay")
    assert (event.outcome, event.actor, event.data["new_date"], event.data["in_writing"]) == (
        "success",
        cast.supplier,
        new_date.isoformat(),
        True,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reasons": "Resin shortage.", "new_date": "2020-01-01"}, "new_date"),
        ({"reasons": "  ", "new_date": "2999-01-01"}, "reasons"),
        ({"new_date": "2999-01-01"}, "reasons"),
        ({"reasons": "Resin shortage.", "new_date": "soon"}, "new_date"),
    ],
)
def test_a_delay_without_reasons_or_a_future_date_is_a_400_and_changes_nothing(
    cast, django_capture_on_commit_callbacks, body, field
):
    order = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    before = state(order)

    response = post(client_for(cast.supplier), order, "delay", body)

    assert response.status_code == 400
    assert named(response.json()) == field
    assert state(order) == before


def test_the_supplier_marks_an_accepted_order_fulfilled_once(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    client = client_for(cast.supplier)
    before = state(order)

    not_yet = post(client, order, "fulfil")
    assert (not_yet.status_code, not_yet["Content-Type"]) == (409, PROBLEM)
    assert state(order) == before

    assert post(client, order, "accept").status_code == 200
    done = post(client, order, "fulfil")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == OrderStatus.FULFILLED
    assert [r["kind"] for r in done.json()["responses"]] == ["accept", "fulfilled"]
    event = last_event("rated_order.mark_fulfilled")
    assert (event.outcome, event.from_state, event.to_state) == ("success", "accepted", "fulfilled")

    after = state(order)
    again = post(client, order, "fulfil")
    assert again.status_code == 409
    assert state(order) == after


# --- flow-down ------------------------------------------------------------------------------


def flowdown_body(sub: int, **overrides) -> dict:
    body = {
        "sub_supplier": sub,
        "po_number": "SUB-9",
        "items": [
            {
                "description": "Filter membrane",
                "quantity": "5",
                "unit": "each",
                "required_dates": [future(20).isoformat()],
            }
        ],
        "password": PASSWORD,
    }
    body.update(overrides)
    return body


def test_the_supplier_extends_the_rating_to_a_sub_tier_supplier(cast, django_capture_on_commit_callbacks):
    parent = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    sub, _contact = supplier_org("Membrana Inc.")

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(cast.supplier), parent, "flowdown", flowdown_body(sub.pk))

    assert response.status_code == 201, response.content
    child = RatedOrder.objects.get(parent=parent)
    assert response["Location"] == f"http://testserver/api/v1/orders/{child.order_number}/"
    body = response.json()
    assert (body["order_number"], body["parent_order_number"], body["supplier"], body["rating"]) == (
        child.order_number,
        parent.order_number,
        "Membrana Inc.",
        parent.rating,
    )
    assert body["versions"][0]["items"][0]["quantity"] == "5"
    event = last_event("rated_order.flowdown")
    assert (event.outcome, event.actor, event.object_id) == ("success", cast.supplier, str(child.pk))
    assert event.data["credential"].startswith("api_token:")


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"password": "wrong"}, 403, None),
        ({"sub_supplier": 999999}, 400, "sub_supplier"),
        ({"po_number": "  "}, 400, "po_number"),
        (
            {
                "items": [
                    {"description": "Membrane", "quantity": "500", "unit": "each", "required_dates": ["2999-01-01"]}
                ]
            },
            400,
            None,
        ),
    ],
)
def test_a_flowdown_refused_creates_no_order(cast, django_capture_on_commit_callbacks, overrides, status, field):
    parent = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    sub, _contact = supplier_org("Membrana Inc.")
    before = state(parent)

    response = post(client_for(cast.supplier), parent, "flowdown", flowdown_body(sub.pk, **overrides))

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    if field:
        assert named(response.json()) == field
    assert state(parent) == before
    assert not RatedOrder.objects.filter(parent=parent).exists()


def test_a_wrong_password_on_a_flowdown_is_an_audited_refusal(cast, django_capture_on_commit_callbacks):
    parent = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    sub, _contact = supplier_org("Membrana Inc.")

    post(client_for(cast.supplier), parent, "flowdown", flowdown_body(sub.pk, password="wrong"))

    denied = AuditEvent.objects.get(action="rated_order.flowdown", outcome="denied")
    assert denied.actor == cast.supplier


# --- downloads with a token -----------------------------------------------------------------


def test_the_signed_document_downloads_with_a_token_and_is_audited(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    url = f"/api/v1/orders/{order.order_number}/versions/1/document/"
    document = order.versions.get().documents.get()

    response = client_for(cast.supplier).get(url)

    content = b"".join(response.streaming_content)
    assert (response.status_code, response["Content-Type"], content[:5]) == (200, "application/pdf", b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert response["ETag"] == f'"{document.sha256[:32]}"'
    event = last_event("rated_order.document_download")
    assert (event.outcome, event.actor) == ("success", cast.supplier)

    elsewhere = client_for(cast.supplier2).get(url)
    missing = client_for(cast.supplier).get(f"/api/v1/orders/{order.order_number}/versions/9/document/")
    assert (elsewhere.status_code, missing.status_code) == (404, 404)
    assert elsewhere["Content-Type"] == PROBLEM
