"""What an order placed under an HHS rating authorization may ask for (45 CFR 101.32(a)(3)): the
authorized items, never more than their quantities, whether it is being placed or amended."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dpa_portal.errors import ValidationFailed
from ratings.models import RatedOrder
from ratings.services import items


def check_authorized_quantity(number: int, quantity: Any, unit: str, limit: Any, *, then: str = "") -> None:
    """An order's item never asks for more than the HHS rating authorization allows (45 CFR
    101.32(a)(3)), whether the order is being placed or amended; `then` says what to do instead."""
    if Decimal(str(quantity)) > Decimal(str(limit)):
        raise ValidationFailed(
            f"Item {number}: {items.format_quantity(quantity)} {unit} is more than the authorization allows "
            f"({items.format_quantity(limit)} {unit}).{' ' + then if then else ''}",
            field=f"items[{number}].quantity",
        )


def check_within_authorization(order: RatedOrder, snapshots: list[dict[str, Any]]) -> None:
    """The placing party's amendment of an order it placed under an HHS rating authorization stays
    within what HHS authorized (45 CFR 101.32(a)(3)): each item one the authorization lists for
    the supplier (the placing form copies its description and unit), never above its quantity.
    Required dates are not checked here: a date the supplier offers (15 CFR 700.13(b)(1)) may lie
    after the authorized window, and whether HHS must agree to it first is not settled."""
    authorization = order.authorization
    if authorization is None:
        return
    authorized = {(a["description"], a["unit"]): a for a in authorization.items_for(order.supplier_id)}
    for item in snapshots:
        n = item["position"]
        match = authorized.get((item["description"], item["unit"]))
        if match is None:
            raise ValidationFailed(
                f"Item {n}: “{item['description']}” is not an item rating authorization {authorization.number} "
                "lists for this supplier; ask HHS to amend the authorization.",
                field=f"items[{n}].description",
            )
        check_authorized_quantity(
            n, item["quantity"], item["unit"], match["quantity"], then=f"Ask HHS to amend {authorization.number}."
        )
