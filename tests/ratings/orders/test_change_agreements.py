"""The supplier's signed agreement to a change (45 CFR 101.36(d): a change agreed between supplier
and customer is not a new rated order), recorded as the supplier's signature, not a tick box."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed
from ratings.constants import SIGNATURE_MEANING_CHANGE_AGREEMENT, AmendmentSignificance, OrderStatus
from ratings.models import ChangeAgreementStatus, RatedOrder
from ratings.services.items import DeliveryInput
from ratings.services.orders import agreements
from ratings.services.orders import changes as order_changes
from tests.factories import PASSWORD, otp
from tests.ratings.orders.conftest import as_amended, issue_orders, split_items


def _moved(order: RatedOrder) -> list[order_changes.AmendedItem]:
    """Item 1's second delivery a week later: on its own, a new rated order (101.36(c))."""
    item = order.versions.get(number=order.current_version).items_snapshot[0]
    first, second = item["required_dates"]
    later = dt.date.fromisoformat(second["date"]) + dt.timedelta(days=7)
    return [as_amended(item, required_dates=[DeliveryInput(first["date"], "500"), DeliveryInput(later, "300")])]


def test_101_36_d_a_change_the_supplier_signed_is_not_a_new_rated_order(cast, django_capture_on_commit_callbacks):
    # given a split-delivery order and a moved date the customer proposes
    (order,) = issue_orders(cast, django_capture_on_commit_callbacks, split_items(cast.supplier_org, 1))
    proposal = agreements.change_agreement_propose(
        order=order, actor=cast.signer, reason="Our filling line starts a week later.", items=_moved(order)
    )
    assert proposal.status == ChangeAgreementStatus.PROPOSED
    assert [c["what"] for c in proposal.changes] == ["Delivery schedule"]

    # when the supplier's contact signs its agreement, and the customer applies the change
    signed = agreements.change_agreement_sign(agreement=proposal, actor=cast.supplier, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_amend(
            order=order,
            actor=cast.signer,
            password=PASSWORD,
            reason=proposal.reason,
            items=_moved(order),
            agreement=signed,
        )

    # then the supplier's signature is on record, bound to the change
    assert (signed.status, signed.agreed_by, signed.meaning) == (
        ChangeAgreementStatus.AGREED,
        cast.supplier,
        SIGNATURE_MEANING_CHANGE_AGREEMENT,
    )
    assert signed.content_sha256 == agreements.agreement_fingerprint(signed, order.order_number, 1)
    agreed = AuditEvent.objects.get(action="rated_order.change_agree")
    assert agreed.actor_id == cast.supplier.pk
    assert agreed.data["signature"]["content_sha256"] == signed.content_sha256
    # and the amendment is not significant, naming the agreement
    version = order.versions.get(number=2)
    assert version.significance == AmendmentSignificance.NOT_SIGNIFICANT
    assert "change agreed by the supplier (45 CFR 101.36(d))" in version.significance_basis
    assert f"agreed by {cast.supplier.printed_name} for Filtra Corp, signed" in version.significance_basis
    proposal.refresh_from_db()
    assert (proposal.status, proposal.applied_in_id) == (ChangeAgreementStatus.APPLIED, version.pk)
    assert AuditEvent.objects.get(action="rated_order.amend").data["agreement"] == proposal.pk


def test_an_agreement_covers_exactly_the_items_agreed_and_only_once_signed(cast, django_capture_on_commit_callbacks):
    (order,) = issue_orders(cast, django_capture_on_commit_callbacks, split_items(cast.supplier_org, 1))
    proposal = agreements.change_agreement_propose(
        order=order, actor=cast.signer, reason="Later line start.", items=_moved(order)
    )
    events = AuditEvent.objects.count()

    # not yet signed by the supplier
    with pytest.raises(ValidationFailed, match="no signed agreement") as unsigned:
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="x",
            items=_moved(order),
            agreement=proposal,
        )
    assert unsigned.value.field == "agreement"

    # signed, but the items differ from what was agreed
    signed = agreements.change_agreement_sign(agreement=proposal, actor=cast.supplier, password=PASSWORD)
    other = [as_amended(order.versions.get().items_snapshot[0], ship_to="Dock 9")]
    with pytest.raises(ValidationFailed, match="differ from what the supplier agreed") as differs:
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="x",
            items=other,
            agreement=signed,
        )
    assert differs.value.field == "items"

    # nothing changed but the supplier's signature
    order = RatedOrder.objects.get(pk=order.pk)
    assert (order.status, order.current_version) == (OrderStatus.ISSUED, 1)
    assert AuditEvent.objects.count() == events + 1
