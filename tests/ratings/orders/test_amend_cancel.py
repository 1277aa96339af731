"""Amendments and cancellation (45 CFR 101.36 / 15 CFR 700.16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from audit.models import AuditEvent
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import (
    SIGNATURE_MEANING_CANCELLATION,
    AmendmentSignificance,
    DocumentKind,
    GenerationStatus,
    NotificationKind,
    OrderStatus,
    RatingLevel,
    SupplierNoticeKind,
)
from ratings.models import Document, Notification, RatedOrder, RatedOrderVersion
from ratings.models.precedence import precedence_key
from ratings.services.orders import changes as order_changes
from ratings.services.orders import significance
from tests.factories import PASSWORD, otp
from tests.ratings.orders.conftest import amended_item, flat, issue_order, pdf_pages

OLD = [
    {
        "position": 1,
        "description": "Skid",
        "part_number": "PN-1",
        "po_number": "PO-1",
        "quantity": "100",
        "unit": "each",
        "ship_to": "",
        "required_dates": [{"date": "2027-01-10", "quantity": None}],
    }
]


def _changed(**changes):
    return [{**OLD[0], **changes}]


@pytest.mark.parametrize(
    ("new", "agreed", "expected"),
    [
        (_changed(ship_to="Dock 4"), False, AmendmentSignificance.NOT_SIGNIFICANT),
        (_changed(quantity="60"), False, AmendmentSignificance.NOT_SIGNIFICANT),
        (_changed(quantity="105"), False, AmendmentSignificance.NOT_SIGNIFICANT),  # 5 % = negligible
        (_changed(quantity="106"), False, AmendmentSignificance.SIGNIFICANT),
        (_changed(required_dates=[{"date": "2027-01-03", "quantity": None}]), False, AmendmentSignificance.SIGNIFICANT),
        (
            _changed(required_dates=[{"date": "2027-01-03", "quantity": None}]),
            True,
            AmendmentSignificance.NOT_SIGNIFICANT,
        ),
        (_changed(description="Skid, 200 L"), False, AmendmentSignificance.SIGNIFICANT),
        ([*OLD, {**OLD[0], "position": 2}], False, AmendmentSignificance.SIGNIFICANT),
        ([*OLD, {**OLD[0], "position": 2}], True, AmendmentSignificance.NOT_SIGNIFICANT),
        (_changed(po_number="PO-1A"), False, AmendmentSignificance.NOT_SIGNIFICANT),
    ],
)
def test_101_36_amendments_are_classified(new, agreed, expected, settings):
    settings.ORDER_NEGLIGIBLE_INCREASE_PERCENT = 5
    assessment = significance.assess_amendment(OLD, new, agreed=agreed)
    assert assessment.significance == expected
    assert assessment.basis.startswith("item ")


def test_an_amendment_that_changes_nothing_is_refused():
    with pytest.raises(ValidationFailed, match="changes nothing"):
        significance.assess_amendment(OLD, OLD)


def test_amending_adds_a_signed_version_and_supersedes_the_old_one(cast, django_capture_on_commit_callbacks):
    # given
    order = issue_order(cast, django_capture_on_commit_callbacks)
    new_date = dt.date(2027, 3, 1)

    # when the delivery date moves (a significant schedule change)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="The manufacturer's line starts later.",
            items=[amended_item(order, required_dates=[new_date])],
            expected_version=1,
        )

    # then the document is generated, the supplier told and so is the customer, at its own page
    assert len(callbacks) == 4
    told = Notification.objects.filter(kind=NotificationKind.PLACED_ORDER_CHANGED).order_by("pk")
    assert [(n.recipient, n.link, n.subject) for n in told] == [
        (
            who,
            f"{settings.SITE_URL}/portal/placed/{order.order_number}/",
            f"{order.order_number}: HHS amended the rated order to {order.supplier.legal_name}",
        )
        for who in (cast.applicant, cast.signer)  # the applicant and the signer who placed it
    ]
    assert order.status == OrderStatus.AMENDED
    assert order.current_version == 2
    # and the order's precedence key follows the new version's earliest date (the supplier's list reads it)
    assert RatedOrder.objects.get(pk=order.pk).precedence == precedence_key(RatingLevel.DO, new_date)
    old, new = RatedOrderVersion.objects.filter(order=order).order_by("number")
    assert (old.superseded, old.superseded_at is not None) == (True, True)
    assert (new.superseded, new.significance) == (False, AmendmentSignificance.SIGNIFICANT)
    assert new.significance_basis == (
        "item 1: delivery on 2027-03-01 added: alters the delivery schedule (45 CFR 101.36(c)); "
        f"item 1: delivery on {old.items_snapshot[0]['required_dates'][0]['date']} dropped, quantity moved between "
        "dates: alters the delivery schedule (45 CFR 101.36(c))"
    )
    assert new.supplier_notice_kind == SupplierNoticeKind.AMENDED
    assert new.amendment_reason == "The manufacturer's line starts later."
    assert new.generation_status == GenerationStatus.GENERATED
    assert new.fingerprint != old.fingerprint
    assert Document.objects.filter(version__order=order).count() == 2
    text = flat("\n".join(pdf_pages(new.documents.get().file.open("rb").read())))
    assert "2027-03-01" in text
    assert "Amendment (version 2)" in text
    event = AuditEvent.objects.get(action="rated_order.amend")
    assert (event.from_state, event.to_state, event.reason) == ("issued", "amended", new.amendment_reason)
    assert event.data["significance"] == "significant"


def test_an_amendment_needs_a_reason_and_changes_nothing_without_one(cast, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationFailed) as error:
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="  ",
            items=[amended_item(order, quantity="5")],
        )
    assert error.value.field == "reason"
    assert callbacks == []
    assert AuditEvent.objects.count() == events
    assert RatedOrderVersion.objects.filter(order=order).count() == 1
    assert RatedOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED


@pytest.mark.parametrize(
    ("who", "password", "message"),
    [
        ("approver", PASSWORD, "DX authority"),
        ("secretary", "wrong", "password you entered is not correct"),
        ("reviewer", PASSWORD, "Only the customer that placed this order, or an HHS approving official"),
        ("auditor", PASSWORD, "read-only"),
    ],
)
def test_amendment_refusals_are_audited_and_change_nothing(
    cast, django_capture_on_commit_callbacks, who, password, message
):
    # given a DX order
    order = issue_order(cast, django_capture_on_commit_callbacks, level=RatingLevel.DX)
    events = AuditEvent.objects.count()

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused) as refused:
        order_changes.rated_order_amend(
            order=order,
            actor=getattr(cast, who),
            password=password,
            reason="Cut.",
            items=[amended_item(order, quantity="5")],
        )

    # then
    assert message in refused.value.message
    assert callbacks == []
    assert list(AuditEvent.objects.order_by("sequence")[events:].values_list("action", "outcome")) == [
        ("rated_order.amend", "denied")
    ]
    assert RatedOrderVersion.objects.filter(order=order).count() == 1


def test_cancelling_generates_a_signed_notice(cast, django_capture_on_commit_callbacks):
    # given
    order = issue_order(cast, django_capture_on_commit_callbacks)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Stock found elsewhere."
        )

    # then
    assert order.status == OrderStatus.CANCELLED
    assert order.cancellation_reason == "Stock found elsewhere."
    notice = order.versions.get(number=2)
    assert notice.kind == DocumentKind.CANCELLATION
    assert notice.supplier_notice_kind == SupplierNoticeKind.CANCELLED
    assert notice.signatures.get().meaning == SIGNATURE_MEANING_CANCELLATION
    assert order.versions.get(number=1).superseded is True
    text = flat("\n".join(pdf_pages(notice.documents.get(kind=DocumentKind.CANCELLATION).file.open("rb").read())))
    assert f"Notice of cancellation of rated order {order.order_number}" in text
    assert "Why Stock found elsewhere." in text
    assert "Meaning: Cancelled: withdraws the priority rating" in text
    assert AuditEvent.objects.get(action="rated_order.cancel").to_state == "cancelled"

    # and a cancelled order cannot change again
    with pytest.raises(InvalidState):
        order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Again."
        )


def test_cancelling_needs_a_reason(cast, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed):
        order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason=""
        )
    assert AuditEvent.objects.count() == events
    assert RatedOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED


def test_a_stale_amendment_is_refused_as_a_concurrent_change(cast, django_capture_on_commit_callbacks):
    # given an order already amended to version 2
    order = issue_order(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="Cut.",
            items=[amended_item(order, quantity="5")],
        )
    events = AuditEvent.objects.count()

    # when someone amends from the version-1 page
    with pytest.raises(ConcurrentChange):
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="Cut more.",
            items=[amended_item(order, quantity="4")],
            expected_version=1,
        )

    # then nothing changed
    assert AuditEvent.objects.count() == events
    assert RatedOrder.objects.get(pk=order.pk).current_version == 2
