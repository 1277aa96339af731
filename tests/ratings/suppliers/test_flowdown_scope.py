"""Flow-down orders under HRPAS (45 CFR 101.35): the citation, the emergency time limit carried to
every tier, and the quantity cap only within the same unit. Text extracted with pypdf."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed
from ratings.constants import (
    EMERGENCY_PREPAREDNESS_STATEMENT,
    RATED_ORDER_CERTIFICATION,
    SIGNATURE_MEANING_PLACING_AMENDMENT,
)
from ratings.models import RatedOrder
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as sr
from tests.factories import PASSWORD
from tests.ratings.orders.conftest import as_amended, flat, pdf_pages
from tests.ratings.suppliers.conftest import extend, future, issued, supplier_org


def _text(order: RatedOrder) -> str:
    return flat("\n".join(pdf_pages(order.versions.get().documents.get().file.open("rb").read())))


def _resin(parent: RatedOrder, actor, sub, capture, *, unit: str, quantity: str, basis: str = "") -> RatedOrder:
    with capture(execute=True):
        return flowdown.flowdown_order_create(
            parent=parent,
            actor=actor,
            sub_supplier=sub,
            po_number="RES-1",
            items=[
                flowdown.FlowdownItemInput(
                    description="Polypropylene resin",
                    quantity=quantity,
                    unit=unit,
                    required_dates=[future(10)],
                    scope_basis=basis,
                )
            ],
            password=PASSWORD,
        )


def test_101_35_an_emergency_limit_is_carried_down_two_tiers_and_each_order_cites_hrpas(
    cast, django_capture_on_commit_callbacks
):
    # given an accepted emergency order (48 hours)
    top = issued(cast, django_capture_on_commit_callbacks, is_emergency=True, emergency_response_hours=48)
    top = sr.rated_order_accept(order=top, actor=cast.supplier)
    membrana, membrana_contact = supplier_org("Membrana Inc.")
    resina, _ = supplier_org("Resina LLC")

    # when it is extended to a second tier and, from there, to a third
    second = extend(top, cast.supplier, membrana, django_capture_on_commit_callbacks)
    second = sr.rated_order_accept(order=second, actor=membrana_contact)
    third = extend(second, membrana_contact, resina, django_capture_on_commit_callbacks, quantity="2", days=10)

    # then both sub-tier orders carry the limit, their clocks run on it, and their documents say so
    for order, parent in ((second, top), (third, second)):
        assert order.emergency_response_hours == 48
        version = order.versions.get()
        assert version.response_due_at == version.received_at + dt.timedelta(hours=48)
        text = _text(order)
        assert f"This order extends the priority rating of rated order {parent.order_number}" in text
        assert "(45 CFR 101.35)" in text and "700.15" not in text
        assert "the same time limit of 48 hours applies to your acceptance or rejection" in text
        assert flat(EMERGENCY_PREPAREDNESS_STATEMENT.format(hours=48)) in text
        assert "require their answer within the same time limit (45 CFR 101.35)" in text
        assert flat(RATED_ORDER_CERTIFICATION) in text
        assert f"Authority: Extends rated order {parent.order_number} (45 CFR 101.35)" in text
        assert "Meaning: Extended: certifies the rating is extended under 45 CFR 101.35" in text
    event = AuditEvent.objects.filter(action="rated_order.flowdown", data__parent=top.order_number).get()
    assert event.data["emergency_response_hours"] == 48


def test_101_35_the_quantity_cap_applies_only_within_the_same_unit(cast, django_capture_on_commit_callbacks):
    # given an accepted order for 10 filters ("each")
    top = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    resina, _ = supplier_org("Resina LLC")
    events = AuditEvent.objects.count()

    # when the supplier orders 6,000 kg of resin without saying why
    with pytest.raises(ValidationFailed) as refused:
        _resin(top, cast.supplier, resina, django_capture_on_commit_callbacks, unit="kg", quantity="6000")

    # then it is asked for a basis, not refused against the 10 filters, and nothing is written
    assert refused.value.field == "items[1].scope_basis"
    assert "counts in each, not kg" in refused.value.message
    assert AuditEvent.objects.count() == events
    assert not RatedOrder.objects.filter(parent=top).exists()

    # and in the same unit the cap still holds
    with pytest.raises(ValidationFailed) as capped:
        _resin(top, cast.supplier, resina, django_capture_on_commit_callbacks, unit="Each", quantity="11")
    assert capped.value.field == "items[1].quantity"
    assert "more than the rated order covers (10 Each)" in capped.value.message

    # when it states the basis, the order is placed and prints the basis beside the item
    basis = "6,000 kg of resin moulds the housings of the 10 filter skids ordered."
    child = _resin(
        top, cast.supplier, resina, django_capture_on_commit_callbacks, unit="kg", quantity="6000", basis=basis
    )
    assert child.versions.get().items_snapshot[0]["scope_basis"] == basis
    text = _text(child)
    assert (
        f"Item 1 is counted in kg, a unit order {top.order_number} does not use. Basis for the quantity: {basis}"
        in text
    )


def test_101_36_a_2_the_supplier_amends_its_own_sub_tier_order_only_within_the_order_it_extends(
    cast, django_capture_on_commit_callbacks
):
    # given a sub-tier order for 5 of the 10 filters the supplier received
    top = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    membrana, _ = supplier_org("Membrana Inc.")
    child = extend(top, cast.supplier, membrana, django_capture_on_commit_callbacks)
    item = child.versions.get().items_snapshot[0]
    events = AuditEvent.objects.count()

    # when the supplier (the party that placed it) raises it beyond the order it extends
    with pytest.raises(ValidationFailed) as refused:
        order_changes.rated_order_amend(
            order=child, actor=cast.supplier, password=PASSWORD, reason="More.", items=[as_amended(item, quantity="11")]
        )

    # then it is refused beside the quantity and nothing changes
    assert (refused.value.field, AuditEvent.objects.count()) == ("items[1].quantity", events)
    assert RatedOrder.objects.get(pk=child.pk).current_version == 1

    # and within it the supplier's amendment is its own signed notice
    with django_capture_on_commit_callbacks(execute=True):
        child = order_changes.rated_order_amend(
            order=child, actor=cast.supplier, password=PASSWORD, reason="Fewer.", items=[as_amended(item, quantity="4")]
        )
    signature = child.versions.get(number=2).signatures.get()
    assert (signature.signer, signature.meaning) == (cast.supplier, SIGNATURE_MEANING_PLACING_AMENDMENT)
    assert signature.delegation == "For Filtra Corp, which placed the order (45 CFR 101.36(a)(2))"
