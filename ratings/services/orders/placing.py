"""Placing a rated order under an HHS rating authorization (45 CFR 101.32).

The authorized party's authorized signer places one rated order per authorized supplier: the
items, quantities and delivery windows stay within what the authorization lists, the order has
the party's own PO number and may split deliveries over several dates, and the signer signs it
(45 CFR 101.32(a)(3); re-authentication, 21 CFR 11.200). The service runs along the one
transition path as an action on the authorization (its own row, locked first; the new order
and version are rows below it). The document is rendered and sealed after commit, and the
supplier's contacts are told through the outbox: the supplier's answer clock starts on receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import audit_actions, permissions_placing
from ratings.clock import agency_today
from ratings.constants import SIGNATURE_MEANING_PLACEMENT, DocumentKind, OrderStatus, SupplierNoticeKind
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import RatedOrder, RatingAuthorization, User
from ratings.services import items, transition
from ratings.services.orders import authorized as authorized_items
from ratings.services.orders import issue as orders
from ratings.services.references import reference_allocate

PLACE = transition.Action(
    audit=audit_actions.ORDER_PLACE,
    permission=permissions_placing.order_placing_refusal,
    states=[AuthorizationStatus.ACTIVE],
    state_message="{noun} {reference} is {state}; no rated order can be placed under it.",
    signature=True,
)


@dataclass(frozen=True)
class PlacedItemInput:
    """One authorized item (its position on the authorization) as ordered."""

    position: int
    quantity: Any
    deliveries: Sequence[items.DeliveryInput]
    ship_to: Any = None  # None: the ship-to the authorization lists


def placement_defaults(authorization: RatingAuthorization, supplier_id: int) -> tuple[str, list[PlacedItemInput]]:
    """What the placing form is pre-filled with: the requested PO number and every authorized
    item of the supplier as authorized."""
    authorized = authorization.items_for(supplier_id)
    po = str(authorized[0]["po_number"]) if authorized else ""
    return po, [
        PlacedItemInput(
            position=int(item["position"]),  # type: ignore[call-overload]
            quantity=item["quantity"],
            deliveries=[
                items.DeliveryInput(d["date"], d["quantity"])
                for d in item["required_dates"]  # type: ignore[attr-defined]
            ],
            ship_to=item["ship_to"],
        )
        for item in authorized
    ]


def open_order_for(authorization: RatingAuthorization, supplier_id: int) -> RatedOrder | None:
    """The order already placed with the supplier under the authorization (a cancelled one does not count)."""
    return (
        authorization.orders.filter(supplier_id=supplier_id, parent__isnull=True)
        .exclude(status=OrderStatus.CANCELLED)
        .first()
    )


def _check_within(cleaned: items.CleanItem, authorized: dict[str, Any]) -> None:
    n = cleaned.number
    authorized_items.check_authorized_quantity(n, cleaned.quantity, cleaned.unit, authorized["quantity"])
    start, end = dt.date.fromisoformat(authorized["window_start"]), dt.date.fromisoformat(authorized["window_end"])
    for index, (day, _split) in enumerate(cleaned.deliveries, start=1):
        if not start <= day <= end:
            raise ValidationFailed(
                f"Item {n}: {day.isoformat()} is outside the authorized delivery window "
                f"({start.isoformat()} to {end.isoformat()}).",
                field=f"items[{n}].deliveries[{index}].required_date",
            )
    splits = [split for _day, split in cleaned.deliveries if split is not None]
    if len(splits) == len(cleaned.deliveries) and sum(splits, Decimal(0)) != cleaned.quantity:
        raise ValidationFailed(
            f"Item {n}: the quantities due on each date add up to {items.format_quantity(sum(splits, Decimal(0)))}, "
            f"not the {items.format_quantity(cleaned.quantity)} ordered.",
            field=f"items[{n}].deliveries",
        )


def _clean(
    authorization: RatingAuthorization, supplier_id: int, po: str, inputs: Sequence[PlacedItemInput]
) -> list[dict[str, Any]]:
    authorized = {int(item["position"]): item for item in authorization.items_for(supplier_id)}  # type: ignore[call-overload]
    if not inputs:
        raise ValidationFailed("Order at least one authorized item.", field="items")
    positions = [item.position for item in inputs]
    for position in positions:
        if position not in authorized:
            raise ValidationFailed(
                f"Item {position} is not an item the authorization lists for this supplier.", field="items"
            )
        if positions.count(position) > 1:
            raise ValidationFailed(f"Item {position} appears twice.", field="items")
    cleaned = items.clean_items(
        [
            items.ItemInput(
                description=authorized[item.position]["description"],
                quantity=item.quantity,
                unit=authorized[item.position]["unit"],
                deliveries=item.deliveries,
                po_number=po,
                part_number=authorized[item.position]["part_number"],
                ship_to=authorized[item.position]["ship_to"] if item.ship_to is None else item.ship_to,
            )
            for item in inputs
        ],
        field="items",
        numbers=positions,
        # No required date in the past (45 CFR 101.32(a)(2)): today at the earliest.
        earliest=agency_today(),
    )
    for item in cleaned:
        _check_within(item, authorized[item.number])
    return [item.snapshot(number) for number, item in enumerate(cleaned, start=1)]


def rated_order_place(
    *,
    authorization: RatingAuthorization,
    actor: User,
    supplier_id: int,
    po_number: str,
    items: Sequence[PlacedItemInput],
    password: str = "",
    otp: str = "",
    expected_version: int | None = None,
) -> RatedOrder:
    """An authorized signer of the authorized party places and signs one rated order with one
    authorized supplier, within the authorization."""
    placed: list[RatedOrder] = []

    def apply(locked: RatingAuthorization) -> transition.Applied:
        placed.clear()
        order, data = _place(locked, actor, supplier_id, po_number, items)
        placed.append(order)
        # Filed under the order's number: the first event of the order's own trail.
        return transition.Applied(about=order, filed_under=order.order_number, about_state=order.status, data=data)

    transition.perform(
        transition.AUTHORIZATION,
        PLACE,
        target=authorization,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )
    return placed[0]


def _place(
    authorization: RatingAuthorization,
    actor: User,
    supplier_id: int,
    po_number: str,
    inputs: Sequence[PlacedItemInput],
) -> tuple[RatedOrder, dict[str, Any]]:
    if authorization.valid_until < agency_today():
        raise InvalidState(
            f"Authorization {authorization.number} expired on {authorization.valid_until.isoformat()}; "
            "no rated order can be placed under it."
        )
    if supplier_id not in authorization.supplier_ids():
        raise ValidationFailed("Choose a supplier the authorization lists.", field="supplier")
    existing = open_order_for(authorization, supplier_id)
    if existing is not None:
        raise ValidationFailed(
            f"Rated order {existing.order_number} was already placed with this supplier under the authorization; "
            "amend it instead.",
            field="supplier",
        )
    po = items.clean_text(
        po_number, field="po_number", label="Your purchase order number", max_length=items.PO_NUMBER_MAX_LENGTH
    )
    cleaned = _clean(authorization, supplier_id, po, inputs)
    membership = permissions_placing.signer_membership(actor, authorization.authorized_party_id)
    delegation = (
        f"{membership.delegation} (delegated {membership.delegated_on.isoformat()})"
        if membership is not None and membership.delegated_on
        else ""
    )
    now = timezone.now()
    number = reference_allocate(kind="ORDER", year=now.year)
    order = RatedOrder.objects.create(
        order_number=orders.order_number_format(now.year, number),
        source_request_id=authorization.rating_request_id,
        authorization=authorization,
        placing_organization_id=authorization.authorized_party_id,
        supplier_id=supplier_id,
        level=authorization.level,
        program_id=authorization.program_id,
        rating=authorization.rating,
        emergency_response_hours=authorization.emergency_response_hours,
        issued_at=now,
    )
    version = orders.rated_order_version_create(
        order=order,
        number=1,
        kind=DocumentKind.ORDER,
        items=cleaned,
        signer=actor,
        delegation=delegation,
        at=now,
        meaning=SIGNATURE_MEANING_PLACEMENT,
        notice=SupplierNoticeKind.ISSUED,
    )
    return order, {
        "order": order.order_number,
        "authorization": authorization.number,
        "rating": order.rating,
        "supplier_id": supplier_id,
        "po_number": po,
        "version": 1,
        "fingerprint": version.fingerprint,
        "items": cleaned,
        "signature": {"meaning": SIGNATURE_MEANING_PLACEMENT, "delegation": delegation},
        "response_working_days": settings.SUPPLIER_RESPONSE_WORKING_DAYS[order.level],
    }
