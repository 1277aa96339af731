"""Approval issues one signed rated order per supplier (45 CFR 101.32, 21 CFR 11.200)."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused
from ratings.constants import (
    SIGNATURE_MEANING_APPROVAL,
    AmendmentSignificance,
    GenerationStatus,
    OrderStatus,
    RatingLevel,
    RequestState,
    SupplierNoticeKind,
)
from ratings.models import Document, RatedOrder, RatedOrderVersion, RatingRequest, Signature
from ratings.services.requests import workflow
from tests.factories import PASSWORD, otp, request_in_state
from tests.ratings.orders.conftest import issue_order


def test_approval_issues_one_signed_order_per_supplier(cast, django_capture_on_commit_callbacks):
    # given a recommended request naming two suppliers
    rr = request_in_state(cast, RequestState.RECOMMENDED, suppliers=[cast.supplier_org, cast.supplier_org2])

    # when the DO official approves with their password
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Sound."
        )

    # then the request is issued and each supplier holds one signed order with its document
    assert rr.state == RequestState.ISSUED
    # one document generation and one supplier notice per order, one notice for the decision
    assert len(callbacks) == 5
    orders = list(RatedOrder.objects.filter(source_request=rr).order_by("order_number"))
    assert [o.supplier for o in orders] == [cast.supplier_org, cast.supplier_org2]
    first = orders[0]
    assert re.fullmatch(r"HHS-DPA-\d{4}-\d{6}", first.order_number)
    assert first.rating == "DO-HR"
    assert first.placing_organization == cast.manufacturer
    assert first.status == OrderStatus.ISSUED
    assert first.current_version == 1
    assert first.parent is None
    version = first.versions.get()
    assert version.significance == AmendmentSignificance.ORIGINAL
    assert version.supplier_notice_kind == SupplierNoticeKind.ISSUED
    assert version.generation_status == GenerationStatus.GENERATED
    assert [item.po_number for item in version.items.all()] == ["PO-1"]
    signature = Signature.objects.get(version=version)
    assert signature.signer == cast.approver
    assert signature.printed_name == "Omar Official"
    assert signature.title == "Director, Industrial Base Management"
    assert signature.meaning == SIGNATURE_MEANING_APPROVAL
    assert signature.delegation == "ASPR delegation, 87 FR 58363"
    assert signature.signed_at == rr.decided_at
    assert signature.content_fingerprint == version.fingerprint
    document = Document.objects.get(version=version)
    assert signature.document_sha256 == document.unsigned_sha256
    assert len(document.sha256) == 64
    assert document.size == len(document.file.open("rb").read())
    actions = list(
        AuditEvent.objects.filter(reference__in=[o.order_number for o in orders]).values_list("action", flat=True)
    )
    # each order notice delivered to the supplier starts its clock ("received")
    assert sorted(actions) == sorted(["rated_order.issue", "rated_order.document_generate", "rated_order.received"] * 2)
    approval = AuditEvent.objects.get(action="rating_request.approve")
    assert approval.to_state == RequestState.ISSUED
    assert approval.data["rated_orders"] == [o.order_number for o in orders]


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
    assert RatedOrder.objects.count() == 0
    assert RatedOrderVersion.objects.count() == 0
    assert Document.objects.count() == 0
    assert Signature.objects.count() == 0
    new_events = list(AuditEvent.objects.order_by("sequence")[events_before:])
    assert [(e.action, e.outcome) for e in new_events] == [("rating_request.approve", "denied")]


def test_a_dx_order_cannot_be_signed_by_a_do_official(cast, django_capture_on_commit_callbacks):
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
    assert RatedOrder.objects.count() == 0
    assert list(AuditEvent.objects.order_by("sequence")[events_before:].values_list("action", "outcome")) == [
        ("rating_request.approve", "denied")
    ]


def test_a_dx_order_is_signed_under_the_secretary_delegation(cast, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks, level=RatingLevel.DX)
    signature = Signature.objects.get(version__order=order)
    assert order.rating == "DX-HR"
    assert signature.signer == cast.secretary
    assert signature.delegation == "Secretary of HHS"
