"""Acceptance: flow-down to sub-tier suppliers (45 CFR 101.35) and cancellation down the tree."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.clock import agency_today
from ratings.constants import (
    SIGNATURE_MEANING_EXTENSION,
    DocumentKind,
    NotificationKind,
    OrderStatus,
)
from ratings.models import Document, Notification, RatedOrder, Signature
from ratings.selectors.orders import order_tree, order_tree_rows
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as sr
from tests.factories import PASSWORD, otp
from tests.ratings.suppliers.conftest import extend, future, issued, supplier_org


def test_a_three_tier_tree_is_built_and_cancelling_the_top_tells_each_supplier_once(
    cast, django_capture_on_commit_callbacks
):
    # given an accepted order to Filtra, extended to Membrana, extended again to Resina
    top = issued(cast, django_capture_on_commit_callbacks)
    top = sr.rated_order_accept(order=top, actor=cast.supplier)
    membrana, membrana_contact = supplier_org("Membrana Inc.")
    resina, resina_contact = supplier_org("Resina LLC")
    second = extend(top, cast.supplier, membrana, django_capture_on_commit_callbacks)
    second = sr.rated_order_accept(order=second, actor=membrana_contact)
    third = extend(second, membrana_contact, resina, django_capture_on_commit_callbacks, quantity="2", days=10)
    # the sub-tier's answer goes to the supplier that placed it (and HHS intake), not the applicant
    answered = Notification.objects.filter(
        kind=NotificationKind.ORDER_RESPONSE, object_type="ratings.RatedOrder", object_id=str(second.pk)
    )
    assert sorted(answered.values_list("recipient_id", flat=True)) == sorted([cast.supplier.pk, cast.intake.pk])

    # then the tree has the same rating at every tier, each order signed with its own document
    assert [(o.order_number, d) for o, d in order_tree_rows(top)] == [
        (top.order_number, 0),
        (second.order_number, 1),
        (third.order_number, 2),
    ]
    assert {o.rating for o in order_tree(top)} == {"DO-HR"}
    assert (second.parent, second.placing_organization, second.supplier) == (top, cast.supplier_org, membrana)
    assert (third.parent, third.placing_organization, third.supplier) == (second, membrana, resina)
    signature = Signature.objects.get(version__order=second)
    assert (signature.signer, signature.meaning) == (cast.supplier, SIGNATURE_MEANING_EXTENSION)
    assert Document.objects.filter(version__order__in=[second, third]).count() == 2
    issued_to = Notification.objects.filter(
        kind=NotificationKind.ORDER_ISSUED, object_id__in=[str(second.versions.get().pk), str(third.versions.get().pk)]
    )
    assert sorted(issued_to.values_list("recipient_id", flat=True)) == sorted([membrana_contact.pk, resina_contact.pk])
    third_version = third.versions.get()
    assert third_version.received_at is not None  # the sub-tier's own clock runs

    # when HHS cancels the top order
    with django_capture_on_commit_callbacks(execute=True):
        order_changes.rated_order_cancel(
            order=top, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Program ended."
        )

    # then every order in the tree is cancelled with a signed notice, and each supplier is told once
    assert (
        list(RatedOrder.objects.filter(pk__in=[top.pk, second.pk, third.pk]).values_list("status", flat=True))
        == [OrderStatus.CANCELLED] * 3
    )
    cancelled = Notification.objects.filter(kind=NotificationKind.ORDER_CANCELLED)
    assert sorted(cancelled.values_list("recipient_id", flat=True)) == sorted(
        [cast.supplier.pk, membrana_contact.pk, resina_contact.pk]
    )
    assert Document.objects.filter(kind=DocumentKind.CANCELLATION).count() == 3
    cascade = AuditEvent.objects.filter(action="rated_order.cancel", data__cascade_from=top.order_number)
    assert sorted(cascade.values_list("reference", flat=True)) == sorted([second.order_number, third.order_number])
    third_version.refresh_from_db()
    assert third_version.clock_closed_at is not None


def _item(**overrides):
    values = dict(description="Filter membrane", quantity="5", unit="each", required_dates=[future(20)])
    values.update(overrides)
    return flowdown.FlowdownItemInput(**values)


@pytest.mark.parametrize(
    ("make_items", "po", "message"),
    [
        (lambda: [], "SUB-1", "at least one item"),
        (lambda: [_item(quantity="11")], "SUB-1", "more than the rated order covers"),
        (lambda: [_item(quantity="0")], "SUB-1", "greater than zero"),
        (lambda: [_item(required_dates=[])], "SUB-1", "at least one required delivery date"),
        (lambda: [_item(required_dates=["ASAP"])], "SUB-1", "calendar date"),
        (lambda: [_item(required_dates=["2020-01-02"])], "SUB-1", r"\(2020-01-02\) is in the past"),
        (lambda: [_item(required_dates=[agency_today()])], "SUB-1", "must be after today"),
        (lambda: [_item(required_dates=[future(45)])], "SUB-1", "after the rated order's latest required date"),
        (lambda: [_item()], "  ", "purchase order"),
    ],
)
def test_flowdown_orders_missing_elements_or_outside_the_parents_scope_are_refused(
    cast, django_capture_on_commit_callbacks, make_items, po, message
):
    items = make_items()  # dates from today when the test runs, not when it was collected (midnight)
    top = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    sub, _ = supplier_org("Membrana Inc.")
    counts = (RatedOrder.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationFailed, match=message):
        flowdown.flowdown_order_create(
            parent=top, actor=cast.supplier, sub_supplier=sub, po_number=po, items=items, password=PASSWORD
        )
    assert (RatedOrder.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == counts
    assert callbacks == []


def test_flowdown_needs_an_accepted_order_the_suppliers_contact_and_the_password(
    cast, django_capture_on_commit_callbacks
):
    top = issued(cast, django_capture_on_commit_callbacks)
    sub, _ = supplier_org("Membrana Inc.")
    kwargs = dict(parent=top, sub_supplier=sub, po_number="SUB-1", items=[_item()])
    with pytest.raises(InvalidState):
        flowdown.flowdown_order_create(actor=cast.supplier, password=PASSWORD, **kwargs)
    sr.rated_order_accept(order=top, actor=cast.supplier)
    for actor, password in [(cast.supplier2, PASSWORD), (cast.supplier, "wrong"), (cast.supplier, "")]:
        with pytest.raises(PermissionRefused):
            flowdown.flowdown_order_create(actor=actor, password=password, **kwargs)
    denied = AuditEvent.objects.filter(action="rated_order.flowdown", outcome="denied")
    assert denied.count() == 3
    assert RatedOrder.objects.count() == 1
