"""Flow-down: a supplier extends the rating of an accepted order to its own supplier (15 CFR 700.15).

The child order has the same rating, is signed by the supplier's contact (a rated-order
signature: the password is re-checked, 21 CFR 11.200) and gets its own document and clock.
It runs along the one transition path as an action on the parent order.

Scope (decided here): each item's quantity is at most the parent's total ordered quantity
(current version; units are not converted), and every required date is a real future date no
later than the parent's latest required date (what the sub-tier delivers is needed to fill the
parent in time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.clock import agency_today
from ratings.constants import SIGNATURE_MEANING_EXTENSION, DocumentKind, OrderStatus, SupplierNoticeKind
from ratings.models import Organization, RatedOrder, RatedOrderVersion, User
from ratings.services import items, transition
from ratings.services.orders import issue as orders
from ratings.services.references import reference_allocate

FLOWDOWN = transition.Action(
    audit=audit_actions.ORDER_FLOWDOWN,
    permission=permissions.order_rule("flowdown"),
    states=[OrderStatus.ACCEPTED],
    state_message="Order {reference} is {state}; accept it before extending its rating to your suppliers.",
    signature=True,
)


@dataclass(frozen=True)
class FlowdownItemInput:
    description: str
    quantity: Any
    unit: str
    required_dates: Sequence[dt.date | str] = ()
    part_number: str = ""


def _parent_scope(version: RatedOrderVersion) -> tuple[Decimal, dt.date]:
    total = sum((Decimal(item["quantity"]) for item in version.items_snapshot), Decimal(0))
    latest = max(dt.date.fromisoformat(d["date"]) for item in version.items_snapshot for d in item["required_dates"])
    return total, latest


def _flowdown_items(
    flowdown_items: list[FlowdownItemInput], po_number: str, parent_version: RatedOrderVersion
) -> list[dict[str, Any]]:
    """Errors name `items[n].<input>`, n counting from 1 in the order given."""
    if not flowdown_items:
        raise ValidationFailed("Add at least one item the sub-tier supplier will deliver.", field="items")
    max_quantity, latest = _parent_scope(parent_version)
    cleaned = items.clean_items(
        [
            items.ItemInput(
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                deliveries=[items.DeliveryInput(day) for day in item.required_dates],
                po_number=po_number,
                part_number=item.part_number,
            )
            for item in flowdown_items
        ],
        field="items",
        earliest=agency_today() + dt.timedelta(days=1),
    )
    for item in cleaned:
        if item.quantity > max_quantity:
            raise ValidationFailed(
                f"Item {item.number}: {items.format_quantity(item.quantity)} is more than the rated order covers "
                f"({items.format_quantity(max_quantity)}); a rating extends only to what is needed to fill it.",
                field=f"items[{item.number}].quantity",
            )
        last = item.deliveries[-1][0]
        if last > latest:
            raise ValidationFailed(
                f"Item {item.number}: {last.isoformat()} is after the rated order's latest required date "
                f"({latest.isoformat()}); what you order must arrive in time to fill it.",
                field=f"items[{item.number}].deliveries",
            )
    return [item.snapshot(item.number) for item in cleaned]


def flowdown_order_create(
    *,
    parent: RatedOrder,
    actor: User,
    sub_supplier: Organization,
    po_number: str,
    items: list[FlowdownItemInput],
    password: str = "",
    otp: str = "",
) -> RatedOrder:
    """The supplier extends the rating of an accepted order to its own supplier: a child rated
    order (same rating), signed by the supplier's contact, with its own document and clock."""

    created: list[RatedOrder] = []

    def apply(locked: RatedOrder) -> transition.Applied:
        child, data = _create_child(locked, actor, sub_supplier, po_number, items)
        created.append(child)
        return transition.Applied(created=child, organization_id=locked.supplier_id, data=data)

    transition.perform(transition.ORDER, FLOWDOWN, target=parent, actor=actor, apply=apply, password=password, otp=otp)
    return created[0]


def _create_child(
    parent: RatedOrder, actor: User, sub_supplier: Organization, po_number: str, inputs: list[FlowdownItemInput]
) -> tuple[RatedOrder, dict[str, Any]]:
    po = items.clean_text(
        po_number,
        field="po_number",
        label="The number of your purchase order to the sub-tier supplier",
        max_length=items.PO_NUMBER_MAX_LENGTH,
    )
    if not sub_supplier.is_active or sub_supplier.pk in (parent.supplier_id, parent.placing_organization_id):
        raise ValidationFailed(
            "Choose an active organization other than yourself and your customer as the sub-tier supplier.",
            field="sub_supplier",
        )
    parent_version = RatedOrderVersion.objects.get(order=parent, number=parent.current_version)
    cleaned = _flowdown_items(inputs, po, parent_version)
    now = timezone.now()
    number = reference_allocate(kind="ORDER", year=now.year)
    child = RatedOrder.objects.create(
        order_number=orders.order_number_format(now.year, number),
        source_request_id=parent.source_request_id,
        placing_organization_id=parent.supplier_id,
        supplier=sub_supplier,
        level=parent.level,
        program_id=parent.program_id,
        rating=parent.rating,
        parent=parent,
        issued_at=now,
    )
    version = orders.rated_order_version_create(
        order=child,
        number=1,
        kind=DocumentKind.ORDER,
        items=cleaned,
        signer=actor,
        delegation=f"Extends rated order {parent.order_number} (15 CFR 700.15)",
        at=now,
        meaning=SIGNATURE_MEANING_EXTENSION,
        notice=SupplierNoticeKind.ISSUED,
    )
    return child, {
        "parent": parent.order_number,
        "rating": child.rating,
        "supplier_id": sub_supplier.pk,
        "po_number": po,
        "version": 1,
        "fingerprint": version.fingerprint,
        "items": cleaned,
        "signature": {"meaning": SIGNATURE_MEANING_EXTENSION},
        "response_working_days": settings.SUPPLIER_RESPONSE_WORKING_DAYS[child.level],
    }
