"""Approval signs one rating authorization; the applicant's authorized signer then places one
signed rated order per supplier under it (45 CFR 101.32(a)(3), 21 CFR 11.200)."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused
from ratings.clock import local_day
from ratings.constants import (
    SIGNATURE_MEANING_AUTHORIZATION,
    SIGNATURE_MEANING_PLACEMENT,
    AmendmentSignificance,
    GenerationStatus,
    OrderStatus,
    RatingLevel,
    RequestState,
    SupplierNoticeKind,
)
from ratings.constants_authorization import AUTHORIZATION_CONDITIONS, AuthorizationStatus
from ratings.models import (
    Document,
    Notification,
    RatedOrder,
    RatedOrderVersion,
    RatingAuthorization,
    RatingRequest,
    Signature,
)
from ratings.services.requests import workflow
from tests.factories import PASSWORD, SIGNER_DELEGATED_ON, SIGNER_DELEGATION, otp, place_orders, request_in_state
from tests.ratings.orders.conftest import issue_order


def test_approval_signs_one_authorization_and_places_no_order(cast, django_capture_on_commit_callbacks):
    # given a recommended request naming two suppliers
    rr = request_in_state(cast, RequestState.RECOMMENDED, suppliers=[cast.supplier_org, cast.supplier_org2])

    # when the DO official approves with their password
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Sound."
        )

    # then the request is authorized; the authorization is signed by the official and sealed
    assert rr.state == RequestState.ISSUED
    # the authorization's document, the applicant's decision notice, its signer's orders to place
    assert len(callbacks) == 3
    decided = Notification.objects.filter(kind__in=["request_decision", "authorization_issued"])
    assert sorted(decided.values_list("recipient__username", "kind")) == sorted(
        [(cast.applicant.username, "request_decision"), (cast.signer.username, "authorization_issued")]
    )
    assert RatedOrder.objects.count() == 0
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    assert re.fullmatch(r"RA-\d{4}-\d{5}", authorization.number)
    assert authorization.authorized_party == cast.manufacturer
    assert (authorization.level, authorization.rating) == (RatingLevel.DO, "DO-HR")
    assert authorization.status == AuthorizationStatus.ACTIVE
    assert authorization.supplier_ids() == [cast.supplier_org.pk, cast.supplier_org2.pk]
    first = authorization.items_snapshot[0]
    assert (first["description"], first["quantity"], first["unit"]) == ("Filtration skid", "10", "each")
    assert (
        first["window_start"] == first["window_end"] == rr.line_items.first().deliveries.get().required_date.isoformat()
    )
    # the agency's calendar day (in the evening, Eastern time, UTC is already on the next day)
    assert authorization.valid_from == local_day(rr.decided_at)
    assert authorization.valid_until.isoformat() == first["window_end"]
    assert authorization.conditions == AUTHORIZATION_CONDITIONS
    assert "ASPR delegation, 87 FR 58363" in authorization.legal_basis
    assert (
        "Program HR (Health resources): determined by Assistant Secretary for Preparedness and Response on 2024-03-11"
        in authorization.legal_basis
    )
    assert (authorization.signer, authorization.printed_name) == (cast.approver, "Omar Official")
    assert authorization.meaning == SIGNATURE_MEANING_AUTHORIZATION
    assert authorization.delegation == "ASPR delegation, 87 FR 58363"
    assert authorization.signed_at == rr.decided_at
    assert authorization.generation_status == GenerationStatus.GENERATED
    assert len(authorization.document_sha256) == 64
    issued = AuditEvent.objects.get(action="rating_authorization.issue")
    assert (issued.reference, issued.actor_id, issued.data["fingerprint"]) == (
        authorization.number,
        cast.approver.pk,
        authorization.fingerprint,
    )
    approval = AuditEvent.objects.get(action="rating_request.approve")
    assert approval.to_state == RequestState.ISSUED
    assert approval.data["authorization"] == authorization.number


def test_the_authorized_signer_places_one_signed_order_per_supplier(cast, django_capture_on_commit_callbacks):
    """45 CFR 101.32(a)(3): the signature on the order is the placing party's authorized signer's."""
    # given an approved request naming two suppliers
    rr = request_in_state(cast, RequestState.RECOMMENDED, suppliers=[cast.supplier_org, cast.supplier_org2])
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Sound."
        )

    # when Acme's authorized signer places the orders
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        orders = place_orders(cast, rr)

    # then each supplier holds one order signed by the signer, with its document and notice
    assert len(callbacks) == 4  # per order: its document and its supplier notice
    assert [o.supplier for o in orders] == [cast.supplier_org, cast.supplier_org2]
    first = RatedOrder.objects.get(pk=orders[0].pk)
    assert re.fullmatch(r"HHS-DPA-\d{4}-\d{6}", first.order_number)
    assert (first.rating, first.placing_organization, first.status) == ("DO-HR", cast.manufacturer, OrderStatus.ISSUED)
    assert first.authorization == RatingAuthorization.objects.get(rating_request=rr)
    assert (first.source_request, first.current_version, first.parent) == (rr, 1, None)
    version = first.versions.get()
    assert version.significance == AmendmentSignificance.ORIGINAL
    assert version.supplier_notice_kind == SupplierNoticeKind.ISSUED
    assert version.generation_status == GenerationStatus.GENERATED
    assert version.received_at is not None  # the supplier's clock starts on receipt of the placed order
    assert [item.po_number for item in version.items.all()] == ["PO-1"]
    signature = Signature.objects.get(version=version)
    assert signature.signer == cast.signer
    assert (signature.printed_name, signature.title) == ("Sam Signer", "Vice President, Supply Chain")
    assert signature.meaning == SIGNATURE_MEANING_PLACEMENT
    assert signature.delegation == f"{SIGNER_DELEGATION} (delegated {SIGNER_DELEGATED_ON.isoformat()})"
    assert signature.content_fingerprint == version.fingerprint
    document = Document.objects.get(version=version)
    assert signature.document_sha256 == document.unsigned_sha256
    actions = list(
        AuditEvent.objects.filter(reference__in=[o.order_number for o in orders]).values_list("action", "actor_id")
    )
    assert sorted(actions, key=str) == sorted(
        [
            ("rated_order.place", cast.signer.pk),
            ("rated_order.document_generate", None),
            ("rated_order.received", None),
        ]
        * 2,
        key=str,
    )


def test_order_numbers_are_unique_and_sequential(cast, django_capture_on_commit_callbacks):
    first = issue_order(cast, django_capture_on_commit_callbacks)
    second = issue_order(cast, django_capture_on_commit_callbacks)
    assert int(second.order_number[-6:]) == int(first.order_number[-6:]) + 1


@pytest.mark.parametrize("password", ["", "wrong password"])
def test_approval_without_the_right_password_is_refused_and_changes_nothing(
    cast, django_capture_on_commit_callbacks, password
):
    # given
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    events_before = AuditEvent.objects.count()

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused) as refused:
        workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=password)

    # then: one denied audit event, nothing else
    assert "password" in refused.value.message
    assert callbacks == []
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.RECOMMENDED
    assert RatingAuthorization.objects.count() == 0
    assert RatedOrder.objects.count() == 0
    assert RatedOrderVersion.objects.count() == 0
    assert Document.objects.count() == 0
    assert Signature.objects.count() == 0
    new_events = list(AuditEvent.objects.order_by("sequence")[events_before:])
    assert [(e.action, e.outcome) for e in new_events] == [("rating_request.approve", "denied")]


def test_a_dx_authorization_cannot_be_signed_by_a_do_official(cast, django_capture_on_commit_callbacks):
    # given a DX request
    rr = request_in_state(cast, RequestState.RECOMMENDED, level=RatingLevel.DX)
    events_before = AuditEvent.objects.count()

    # when the DO-level official signs with a correct password
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused) as refused:
        workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )

    # then
    assert "DX authority" in refused.value.message
    assert callbacks == []
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.RECOMMENDED
    assert RatingAuthorization.objects.count() == 0
    assert list(AuditEvent.objects.order_by("sequence")[events_before:].values_list("action", "outcome")) == [
        ("rating_request.approve", "denied")
    ]


def test_a_dx_authorization_is_signed_under_the_secretary_delegation(cast, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks, level=RatingLevel.DX)
    authorization = order.authorization
    assert order.rating == authorization.rating == "DX-HR"
    assert authorization.signer == cast.secretary
    assert authorization.delegation == "Secretary of HHS"
    assert Signature.objects.get(version__order=order).signer == cast.signer
