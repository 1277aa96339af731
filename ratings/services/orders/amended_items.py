"""The items of an amended order as the amending party gives them, cleaned by the one item
validator (services.items) against the version they change."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dpa_portal.errors import ValidationFailed
from ratings.models import RatedOrder
from ratings.services import items
from ratings.services.suppliers import flowdown


@dataclass(frozen=True)
class AmendedItem:
    """One item of the amended order, named by its position; new items get a new position.
    An empty PO or part number keeps the item's current one. A required date is a date (the
    whole quantity, or no split) or a DeliveryInput carrying the quantity due that day."""

    position: int
    description: str
    quantity: Any
    unit: str
    required_dates: Sequence[dt.date | str | items.DeliveryInput]
    po_number: str = ""
    part_number: str = ""
    ship_to: str = ""


def clean_amended_items(
    amended: list[AmendedItem], old: list[dict[str, Any]], *, extends: RatedOrder | None = None
) -> list[dict[str, Any]]:
    """Errors name `items[<position>].<input>`. A date the item already has may stay even once
    it has passed; any other date starts today (agency time zone)."""
    if not amended:
        raise ValidationFailed("An amended order needs at least one item; cancel the order instead.", field="items")
    positions = [item.position for item in amended]
    for position, count in Counter(positions).items():
        if not isinstance(position, int) or not 0 < position < 2**31:
            raise ValidationFailed(f"Item position {position!r} is not a whole number above zero.", field="items")
        if count > 1:
            raise ValidationFailed(f"Item {position} appears twice.", field="items")
    previous = {item["position"]: item for item in old}
    inputs = []
    for item in amended:
        current = previous.get(item.position, {})
        inputs.append(
            items.ItemInput(
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                deliveries=[
                    day if isinstance(day, items.DeliveryInput) else items.DeliveryInput(day)
                    for day in item.required_dates
                ],
                po_number=str(item.po_number or "").strip() or current.get("po_number", ""),
                part_number=str(item.part_number or "").strip() or current.get("part_number", ""),
                ship_to=item.ship_to,
            )
        )
    on_record = {
        position: {dt.date.fromisoformat(d["date"]) for d in item["required_dates"]}
        for position, item in previous.items()
    }
    cleaned = items.clean_items(inputs, field="items", numbers=positions, on_record=on_record)
    snapshots = []
    for clean in cleaned:
        snapshot = clean.snapshot(clean.number)
        kept = previous.get(clean.number, {})
        if kept.get("scope_basis") and kept["unit"] == snapshot["unit"]:
            snapshot["scope_basis"] = kept["scope_basis"]  # a flow-down item's stated basis stays with it
        snapshots.append(snapshot)
    if extends is not None:  # an amended sub-tier order stays within the order it extends (45 CFR 101.35)
        flowdown.check_scope(snapshots, extends.versions.get(number=extends.current_version))
    return sorted(snapshots, key=lambda i: i["position"])


def from_snapshot(item: dict[str, Any]) -> AmendedItem:
    """A stored item as an amendment gives it back unchanged, split quantities kept."""
    return AmendedItem(
        position=item["position"],
        description=item["description"],
        quantity=item["quantity"],
        unit=item["unit"],
        required_dates=[items.DeliveryInput(d["date"], d["quantity"]) for d in item["required_dates"]],
        po_number=item["po_number"],
        part_number=item["part_number"],
        ship_to=item["ship_to"],
    )


# The amendment forms (the placing party's in the portal, HHS's in the admin) name each item's
# inputs `<input>_<position>`; these map them to and from what `clean_amended_items` takes.
ITEM_ERROR = re.compile(r"^items\[(\d+)\]\.(quantity|ship_to|deliveries)")
FORM_INPUTS = {"quantity": "quantity", "ship_to": "ship_to", "deliveries": "dates"}


def form_input_for(error_field: str | None) -> str | None:
    """The form input a service error names (`items[2].deliveries` -> `dates_2`), else the name as given."""
    match = ITEM_ERROR.match(error_field or "")
    return f"{FORM_INPUTS[match.group(2)]}_{match.group(1)}" if match else error_field


def from_form(current: list[dict[str, Any]], data: dict[str, Any]) -> list[AmendedItem]:
    """The items of a valid amendment form; an item whose quantity is left empty is dropped."""
    return [
        AmendedItem(
            position=item["position"],
            description=item["description"],
            quantity=data[f"quantity_{item['position']}"],
            unit=item["unit"],
            required_dates=items.split_deliveries(data[f"dates_{item['position']}"]),
            po_number=item["po_number"],
            part_number=item["part_number"],
            ship_to=data[f"ship_to_{item['position']}"],
        )
        for item in current
        if data.get(f"quantity_{item['position']}")
    ]
