"""Flow-down: a supplier extends the rating of an accepted order to its own supplier (45 CFR 101.35).

The child order has the same rating, is signed by the supplier's contact (a rated-order
signature: the password is re-checked, 21 CFR 11.200) and gets its own document and clock.
An emergency order's time limit is carried to the child (the DPAS model: 15 CFR 700.15(c)).
It runs along the one transition path as an action on the parent order.

Scope (decided here): an item in a unit the parent order uses is at most the parent's total
ordered quantity in that unit (current version); an item in another unit (kilograms of resin
for filters) cannot be compared, so it needs a stated basis instead of a cap. Every required
date is a real future date no later than the parent's latest required date (what the sub-tier
delivers is needed to fill the parent in time).
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
from ratings.constants import (
    EXTENSION_CITATION,
    SIGNATURE_MEANING_EXTENSION,
    DocumentKind,
    OrderStatus,
    SupplierNoticeKind,
)
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
    scope_basis: str = ""  # why this quantity is needed, when the unit differs from the parent's


# A stated basis is a sentence or two, printed on the order beside the item.
SCOPE_BASIS_MAX_LENGTH = 500


def _unit_key(unit: str) -> str:
    return " ".join(unit.split()).casefold()


def _parent_scope(version: RatedOrderVersion) -> tuple[dict[str, Decimal], dt.date]:
    """The parent's total quantity per unit, and its latest required date."""
    totals: dict[str, Decimal] = {}
    for item in version.items_snapshot:
        key = _unit_key(item["unit"])
        totals[key] = totals.get(key, Decimal(0)) + Decimal(item["quantity"])
    latest = max(dt.date.fromisoformat(d["date"]) for item in version.items_snapshot for d in item["required_dates"])
    return totals, latest


def _flowdown_items(
    flowdown_items: list[FlowdownItemInput], po_number: str, parent_version: RatedOrderVersion
) -> list[dict[str, Any]]:
    """Errors name `items[n].<input>`, n counting from 1 in the order given."""
    if not flowdown_items:
        raise ValidationFailed("Add at least one item the sub-tier supplier will deliver.", field="items")
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
    snapshots = []
    for item, given in zip(cleaned, flowdown_items, strict=True):
        basis = items.clean_text(
            given.scope_basis,
            field=f"items[{item.number}].scope_basis",
            label=f"Item {item.number}: the basis for the quantity",
            max_length=SCOPE_BASIS_MAX_LENGTH,
            required=False,
        )
        snapshot = item.snapshot(item.number)
        if basis:
            snapshot["scope_basis"] = basis
        snapshots.append(snapshot)
    check_scope(snapshots, parent_version)
    return snapshots


def check_scope(snapshots: list[dict[str, Any]], parent_version: RatedOrderVersion) -> None:
    """A sub-tier order stays within the order it extends, when placed and when amended: in a
    unit the parent uses, at most the parent's total in that unit; in another unit, a stated
    basis; no date after the parent's latest."""
    totals, latest = _parent_scope(parent_version)
    for item in snapshots:
        n, unit, quantity = item["position"], item["unit"], Decimal(item["quantity"])
        cap = totals.get(_unit_key(unit))
        if cap is None and not item.get("scope_basis"):
            units = ", ".join(sorted({i["unit"] for i in parent_version.items_snapshot}))
            raise ValidationFailed(
                f"Item {n}: your customer's order counts in {units}, not {unit}, so the quantities "
                "cannot be compared; state the basis for this quantity (what it is needed for in the rated order).",
                field=f"items[{n}].scope_basis",
            )
        if cap is not None and quantity > cap:
            raise ValidationFailed(
                f"Item {n}: {items.format_quantity(quantity)} {unit} is more than the rated order "
                f"covers ({items.format_quantity(cap)} {unit}); a rating extends only to what is needed to fill it.",
                field=f"items[{n}].quantity",
            )
        last = max(dt.date.fromisoformat(d["date"]) for d in item["required_dates"])
        if last > latest:
            raise ValidationFailed(
                f"Item {n}: {last.isoformat()} is after the rated order's latest required date "
                f"({latest.isoformat()}); what you order must arrive in time to fill it.",
                field=f"items[{n}].deliveries",
            )


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
        # The sub-tier supplier must answer within the time limit of the order being filled.
        emergency_response_hours=parent.emergency_response_hours,
        issued_at=now,
    )
    version = orders.rated_order_version_create(
        order=child,
        number=1,
        kind=DocumentKind.ORDER,
        items=cleaned,
        signer=actor,
        delegation=f"Extends rated order {parent.order_number} ({EXTENSION_CITATION})",
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
        "emergency_response_hours": child.emergency_response_hours,
    }
