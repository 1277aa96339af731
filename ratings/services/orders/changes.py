"""The placing side changes an issued order: amend (a new signed version) or cancel (45 CFR 101.36).

Both are signatures (the password is re-checked, 21 CFR 11.200) and run along the one
transition path (services.transition). A cancellation reaches every order extended from the
cancelled one (flow-down, any depth).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import (
    SIGNATURE_MEANING_APPROVAL,
    SIGNATURE_MEANING_CANCELLATION,
    AmendmentSignificance,
    DocumentKind,
    SupplierNoticeKind,
)
from ratings.models import RatedOrder, RatedOrderVersion, User
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.services import items, transition
from ratings.services.orders import clocks as order_clocks
from ratings.services.orders.issue import rated_order_version_create

AMEND = transition.Action(
    audit=audit_actions.ORDER_AMEND,
    permission=permissions.order_rule("amend"),
    transition="amend",
    done="change",
    signature=True,
)
CANCEL = transition.Action(
    audit=audit_actions.ORDER_CANCEL,
    permission=permissions.order_rule("cancel"),
    transition="cancel",
    done="change",
    signature=True,
)


@dataclass(frozen=True)
class AmendedItem:
    """One item of the amended order, named by its position; new items get a new position.
    An empty PO or part number keeps the item's current one."""

    position: int
    description: str
    quantity: Any
    unit: str
    required_dates: Sequence[dt.date | str]
    po_number: str = ""
    part_number: str = ""
    ship_to: str = ""


def _clean_items(amended: list[AmendedItem], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
                deliveries=[items.DeliveryInput(day) for day in item.required_dates],
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
    return sorted((item.snapshot(item.number) for item in cleaned), key=lambda i: i["position"])


def classify_amendment(old: list[dict[str, Any]], new: list[dict[str, Any]], *, agreed_minor: bool) -> tuple[str, str]:
    """45 CFR 101.36 / 15 CFR 700.16: ship-to change, quantity cut, negligible increase and a
    minor change agreed by both are not significant; anything else is a new rated order."""
    old_by, new_by = {i["position"]: i for i in old}, {i["position"]: i for i in new}
    significant: list[str] = []
    minor: list[str] = []
    if set(old_by) != set(new_by):
        significant.append("items added or removed")
    threshold = Decimal(settings.ORDER_NEGLIGIBLE_INCREASE_PERCENT) / 100
    for position in sorted(set(old_by) & set(new_by)):
        before, after = old_by[position], new_by[position]
        q_before, q_after = Decimal(before["quantity"]), Decimal(after["quantity"])
        if q_after < q_before:
            minor.append(f"item {position}: quantity cut")
        elif q_after > q_before:
            if q_after - q_before <= q_before * threshold:
                minor.append(f"item {position}: negligible increase")
            else:
                significant.append(
                    f"item {position}: quantity increase over {settings.ORDER_NEGLIGIBLE_INCREASE_PERCENT}%"
                )
        if before["ship_to"] != after["ship_to"]:
            minor.append(f"item {position}: ship-to change")
        for key, label in (
            ("required_dates", "delivery schedule"),
            ("description", "description"),
            ("part_number", "part number"),
            ("unit", "unit"),
        ):
            if before[key] != after[key]:
                (minor if agreed_minor else significant).append(
                    f"item {position}: {label} changed" + (" (minor change agreed by both)" if agreed_minor else "")
                )
    if not significant and not minor:
        raise ValidationFailed("The amendment changes nothing; change a date, quantity or item.", field="items")
    if significant:
        return AmendmentSignificance.SIGNIFICANT, "; ".join(significant + minor)
    return AmendmentSignificance.NOT_SIGNIFICANT, "; ".join(minor)


def _supersede_current(order: RatedOrder, at: dt.datetime) -> RatedOrderVersion:
    current = order.versions.select_for_update(of=("self",), no_key=True).get(number=order.current_version)
    current.superseded, current.superseded_at = True, at
    current.save(update_fields=["superseded", "superseded_at"])
    order_clocks.close_clock(current, at)  # the clock (if any) moves to the new version
    return current


def rated_order_amend(
    *,
    order: RatedOrder,
    actor: User,
    password: str,
    reason: str,
    items: list[AmendedItem],
    agreed_minor: bool = False,
    expected_version: int | None = None,
    otp: str = "",
) -> RatedOrder:
    """HHS amends an issued order (45 CFR 101.36): a new signed version, the old one superseded."""
    text = (reason or "").strip()

    def apply(locked: RatedOrder) -> transition.Applied:
        if not text:
            raise ValidationFailed("Give the reason for the amendment; the supplier will see it.", field="reason")
        current = locked.versions.get(number=locked.current_version)
        new_items = _clean_items(items, current.items_snapshot)
        significance, basis = classify_amendment(current.items_snapshot, new_items, agreed_minor=agreed_minor)
        now = timezone.now()
        membership = permissions.approving_membership(actor, locked.level)
        _supersede_current(locked, now)
        number = locked.current_version + 1
        locked.amend(version_number=number, significant=significance == AmendmentSignificance.SIGNIFICANT)
        version = rated_order_version_create(
            order=locked,
            number=number,
            kind=DocumentKind.ORDER,
            items=new_items,
            signer=actor,
            delegation=membership.delegation if membership else "",
            at=now,
            meaning=SIGNATURE_MEANING_APPROVAL,
            notice=SupplierNoticeKind.AMENDED,
            reason=text,
            significance=significance,
            basis=basis,
        )
        order_clocks.inherit_clock(previous=current, version=version)
        return transition.Applied(
            reason=text,
            data={
                "version": number,
                "significance": significance,
                "basis": basis,
                "fingerprint": version.fingerprint,
                "items_before": current.items_snapshot,
                "items_after": new_items,
            },
        )

    return transition.perform(
        transition.ORDER,
        AMEND,
        target=order,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )


def rated_order_cancel(
    *,
    order: RatedOrder,
    actor: User,
    password: str,
    reason: str,
    expected_version: int | None = None,
    otp: str = "",
) -> RatedOrder:
    """HHS cancels an order; a signed cancellation notice becomes the order's last version."""
    text = (reason or "").strip()

    def apply(locked: RatedOrder) -> transition.Applied:
        if not text:
            raise ValidationFailed("Give the reason for the cancellation; the supplier will see it.", field="reason")
        now = timezone.now()
        membership = permissions.approving_membership(actor, locked.level)
        current = _supersede_current(locked, now)
        number = locked.current_version + 1
        locked.cancel(at=now, reason=text)
        locked.current_version = number
        locked.save()  # the new version and the cascade below refer to the cancelled order
        delegation = membership.delegation if membership else ""
        version = rated_order_version_create(
            order=locked,
            number=number,
            kind=DocumentKind.CANCELLATION,
            items=current.items_snapshot,
            signer=actor,
            delegation=delegation,
            at=now,
            meaning=SIGNATURE_MEANING_CANCELLATION,
            notice=SupplierNoticeKind.CANCELLED,
            reason=text,
        )
        cascaded = _cancel_descendants(root=locked, actor=actor, delegation=delegation, at=now, reason=text)
        return transition.Applied(
            reason=text, data={"version": number, "fingerprint": version.fingerprint, "descendants": cascaded}
        )

    return transition.perform(
        transition.ORDER,
        CANCEL,
        target=order,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )


def _cancel_descendants(*, root: RatedOrder, actor: User, delegation: str, at: dt.datetime, reason: str) -> list[str]:
    """15 CFR 700.16: a cancellation reaches every supplier the order reached. Each open order
    extended from `root` (flow-down, any depth) gets its own signed cancellation notice, its own
    audit event and one notice to its supplier's contacts."""
    cancelled: list[str] = []
    frontier = [root.pk]
    while frontier:
        children = list(
            RatedOrder.objects.select_for_update(of=("self",), no_key=True)
            .filter(parent_id__in=frontier)
            .order_by("pk")
        )
        frontier = [child.pk for child in children]
        for child in children:
            if child.status not in OPEN_ORDER_STATUSES:
                continue
            from_state = child.status
            current = _supersede_current(child, at)
            number = child.current_version + 1
            text = f"Order {root.order_number} was cancelled, so this order extending its rating is cancelled: {reason}"
            child.cancel(at=at, reason=text)
            child.current_version = number
            child.save()
            version = rated_order_version_create(
                order=child,
                number=number,
                kind=DocumentKind.CANCELLATION,
                items=current.items_snapshot,
                signer=actor,
                delegation=delegation,
                at=at,
                meaning=SIGNATURE_MEANING_CANCELLATION,
                notice=SupplierNoticeKind.CANCELLED,
                reason=text,
            )
            audit.record(
                action=audit_actions.ORDER_CANCEL,
                actor=actor,
                target=child,
                reference=child.order_number,
                organization_id=child.placing_organization_id,
                from_state=from_state,
                to_state=child.status,
                reason=text,
                data={"version": number, "fingerprint": version.fingerprint, "cascade_from": root.order_number},
            )
            cancelled.append(child.order_number)
    return cancelled
