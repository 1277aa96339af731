"""Rated orders: issue on approval, amend, cancel, and generate their signed documents.

Every change: atomic() -> lock the order -> permission (refusal audited) -> 21 CFR 11.200
credential check -> write -> one audit event; the document is generated after commit by the
Celery task `generate_order_document`.
Documents, their fingerprint and the public verification live in services.order_documents.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.constants import Outcome
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused, ValidationFailed
from ratings import permissions
from ratings.constants import (
    LEVEL_RANK,
    SIGNATURE_MEANING_APPROVAL,
    SIGNATURE_MEANING_CANCELLATION,
    AmendmentSignificance,
    DocumentKind,
    Role,
    SupplierNoticeKind,
)
from ratings.models import (
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    RatingRequest,
    Signature,
    User,
)
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.services.orders import clocks as order_clocks
from ratings.services.orders import documents as order_documents
from ratings.services.orders import notices as order_notices
from ratings.services.references import reference_allocate
from ratings.services.requests import workflow

logger = logging.getLogger(__name__)


def order_number_format(year: int, value: int) -> str:
    return f"HHS-DPA-{year}-{value:06d}"


def format_quantity(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


# --- issue on approval ----------------------------------------------------------------------


def _items_from_request(rating_request: RatingRequest, supplier_id: int) -> list[dict[str, Any]]:
    items = []
    for position, line in enumerate(
        rating_request.line_items.filter(supplier_id=supplier_id).prefetch_related("deliveries"), start=1
    ):
        items.append(
            {
                "position": position,
                "description": line.description,
                "part_number": line.part_number,
                "po_number": line.po_number,
                "quantity": format_quantity(line.quantity),
                "unit": line.unit,
                "ship_to": line.ship_to,
                "required_dates": [
                    {
                        "date": d.required_date.isoformat(),
                        "quantity": format_quantity(d.quantity) if d.quantity is not None else None,
                    }
                    for d in line.deliveries.all()
                ],
            }
        )
    return items


def rated_order_version_create(
    *,
    order: RatedOrder,
    number: int,
    kind: str,
    items: list[dict[str, Any]],
    signer: User,
    delegation: str,
    at: dt.datetime,
    meaning: str,
    notice: str,
    reason: str = "",
    significance: str = AmendmentSignificance.ORIGINAL,
    basis: str = "",
) -> RatedOrderVersion:
    version = RatedOrderVersion.objects.create(
        order=order,
        number=number,
        kind=kind,
        items_snapshot=items,
        issued_at=at,
        amendment_reason=reason,
        significance=significance,
        significance_basis=basis,
        fingerprint="-",
        supplier_notice_kind=notice,
        earliest_required_date=_earliest_date(items),
    )
    RatedOrderItem.objects.bulk_create(
        [
            RatedOrderItem(
                version=version,
                position=item["position"],
                po_number=item["po_number"],
                description=item["description"],
                part_number=item["part_number"],
                quantity=Decimal(item["quantity"]),
                unit=item["unit"],
                ship_to=item["ship_to"],
                required_dates=item["required_dates"],
            )
            for item in items
        ]
    )
    signature = Signature.objects.create(
        version=version,
        kind=kind,
        signer=signer,
        printed_name=signer.printed_name,
        title=signer.title,
        signed_at=at,
        meaning=meaning,
        delegation=delegation,
        content_fingerprint="-",
    )
    fingerprint = order_documents.order_content(version, signature).fingerprint
    version.fingerprint = fingerprint
    version.save(update_fields=["fingerprint"])
    signature.content_fingerprint = fingerprint
    signature.save(update_fields=["content_fingerprint"])
    order_documents.queue_generation(version)
    # Issue 4: the supplier's contacts are told in this same transaction (outbox).
    order_notices.notify_order_version(order=order, version=version)
    return version


def _earliest_date(items: list[dict[str, Any]]) -> dt.date | None:
    dates = [d["date"] for item in items for d in item["required_dates"]]
    return dt.date.fromisoformat(min(dates)) if dates else None


def rated_orders_issue(
    *, rating_request: RatingRequest, actor: User, delegation: str, at: dt.datetime
) -> list[RatedOrder]:
    """Inside the approval transaction: one signed order per supplier named on the items.

    The approving official's password was re-checked by the approval (21 CFR 11.200); the
    request moves approved -> issued.
    """
    supplier_ids: list[int] = []
    for line in rating_request.line_items.order_by("position"):
        if line.supplier_id not in supplier_ids:
            supplier_ids.append(line.supplier_id)
    orders = []
    for supplier_id in supplier_ids:
        number = reference_allocate(kind="ORDER", year=at.year)
        order = RatedOrder.objects.create(
            order_number=order_number_format(at.year, number),
            source_request=rating_request,
            placing_organization_id=rating_request.applicant_organization_id,
            supplier_id=supplier_id,
            level=rating_request.requested_level,
            program=rating_request.program,
            rating=rating_request.rating,
            emergency_response_hours=rating_request.emergency_response_hours,
            issued_at=at,
        )
        version = rated_order_version_create(
            order=order,
            number=1,
            kind=DocumentKind.ORDER,
            items=_items_from_request(rating_request, supplier_id),
            signer=actor,
            delegation=delegation,
            at=at,
            meaning=SIGNATURE_MEANING_APPROVAL,
            notice=SupplierNoticeKind.ISSUED,
        )
        audit.record(
            action="rated_order.issue",
            actor=actor,
            target=order,
            reference=order.order_number,
            organization_id=order.placing_organization_id,
            to_state=order.status,
            data={
                "request": rating_request.reference,
                "rating": order.rating,
                "supplier_id": supplier_id,
                "version": 1,
                "fingerprint": version.fingerprint,
                "signature": {"meaning": SIGNATURE_MEANING_APPROVAL, "delegation": delegation},
            },
        )
        orders.append(order)
    rating_request.issue()
    return orders


# --- amend and cancel -----------------------------------------------------------------------


@dataclass(frozen=True)
class AmendedItem:
    """One item of the amended order. New items get a new position."""

    position: int
    description: str
    quantity: Any
    unit: str
    required_dates: list[dt.date]
    po_number: str = ""
    part_number: str = ""
    ship_to: str = ""


def order_refusal(order: RatedOrder, user: Any) -> str | None:
    """Only an HHS approving official with authority for the order's level signs changes."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if permissions.has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if permissions.has_role(user, Role.HHS_ADMIN):
        return "HHS administrators manage users and organizations and take no workflow action (separation of duties)."
    if not permissions.has_role(user, Role.APPROVING_OFFICIAL):
        return "Only an HHS approving official can amend or cancel a rated order."
    if order.placing_organization_id in permissions.organization_ids(user):
        return "You belong to the placing organization, so you cannot act on its order (separation of duties)."
    level = permissions.approval_level(user)
    if level is None or LEVEL_RANK[level] < LEVEL_RANK[order.level]:
        return (
            f"A {order.level} order needs an approving official with {order.level} authority; yours is "
            f"{level or 'none'}."
        )
    return None


def _clean_items(items: list[AmendedItem], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        raise ValidationFailed("An amended order needs at least one item; cancel the order instead.", field="items")
    old_by_position = {item["position"]: item for item in old}
    cleaned = []
    positions: set[int] = set()
    for item in items:
        if item.position in positions:
            raise ValidationFailed(f"Item {item.position} appears twice.", field="items")
        positions.add(item.position)
        try:
            quantity = Decimal(str(item.quantity))
        except (InvalidOperation, ValueError):
            raise ValidationFailed(f"Item {item.position}: the quantity must be a number.", field="items") from None
        if not quantity.is_finite() or quantity <= 0:
            raise ValidationFailed(f"Item {item.position}: the quantity must be more than zero.", field="items")
        if not item.required_dates or not all(isinstance(d, dt.date) for d in item.required_dates):
            raise ValidationFailed(
                f"Item {item.position}: give at least one required delivery date (a calendar date).", field="items"
            )
        if not item.description.strip() or not item.unit.strip():
            raise ValidationFailed(f"Item {item.position}: describe the item and its unit.", field="items")
        previous = old_by_position.get(item.position, {})
        cleaned.append(
            {
                "position": item.position,
                "description": item.description.strip(),
                "part_number": item.part_number.strip() or previous.get("part_number", ""),
                "po_number": item.po_number.strip() or previous.get("po_number", ""),
                "quantity": format_quantity(quantity),
                "unit": item.unit.strip(),
                "ship_to": item.ship_to.strip(),
                "required_dates": [{"date": d.isoformat(), "quantity": None} for d in sorted(set(item.required_dates))],
            }
        )
    return sorted(cleaned, key=lambda i: i["position"])


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


def _locked_order(order: RatedOrder, expected_version: int | None) -> RatedOrder:
    locked = (
        RatedOrder.objects.select_for_update()
        .select_related("placing_organization", "supplier", "source_request")
        .get(pk=order.pk)
    )
    if expected_version is not None and locked.current_version != expected_version:
        raise ConcurrentChange("This order was changed by someone else; reload the page and try again.")
    if locked.status not in OPEN_ORDER_STATUSES:
        raise InvalidState(f"Order {locked.order_number} is {locked.get_status_display().lower()}; it cannot change.")
    return locked


def _signed_change(
    *, order: RatedOrder, actor: User, action: str, password: str, expected_version: int | None, apply: Any
) -> RatedOrder:
    refused: str | None = None
    with transaction.atomic():
        locked = _locked_order(order, expected_version)
        permissions.forget_memberships(actor)
        from_state = locked.status
        try:
            reason = order_refusal(locked, actor)
            if reason:
                raise workflow.AuditedRefusal(reason)
            workflow.check_signing_credentials(actor, password)
        except workflow.AuditedRefusal as refusal:
            refused = refusal.message
            audit.record(
                action=f"rated_order.{action}",
                actor=actor,
                target=locked,
                outcome=Outcome.DENIED,
                reference=locked.order_number,
                organization_id=locked.placing_organization_id,
                from_state=from_state,
                reason=refused,
            )
        else:
            data = apply(locked)
            audit.record(
                action=f"rated_order.{action}",
                actor=actor,
                target=locked,
                reference=locked.order_number,
                organization_id=locked.placing_organization_id,
                from_state=from_state,
                to_state=locked.status,
                reason=data.pop("reason"),
                data=data,
            )
    if refused is not None:
        raise PermissionRefused(refused)
    return locked


def _supersede_current(order: RatedOrder, at: dt.datetime) -> RatedOrderVersion:
    current = order.versions.select_for_update().get(number=order.current_version)
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
) -> RatedOrder:
    """HHS amends an issued order (45 CFR 101.36): a new signed version, the old one superseded."""
    text = (reason or "").strip()

    def apply(locked: RatedOrder) -> dict[str, Any]:
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
        locked.save()
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
        return {
            "reason": text,
            "version": number,
            "significance": significance,
            "basis": basis,
            "fingerprint": version.fingerprint,
            "items_before": current.items_snapshot,
            "items_after": new_items,
        }

    return _signed_change(
        order=order, actor=actor, action="amend", password=password, expected_version=expected_version, apply=apply
    )


def rated_order_cancel(
    *, order: RatedOrder, actor: User, password: str, reason: str, expected_version: int | None = None
) -> RatedOrder:
    """HHS cancels an order; a signed cancellation notice becomes the order's last version."""
    text = (reason or "").strip()

    def apply(locked: RatedOrder) -> dict[str, Any]:
        if not text:
            raise ValidationFailed("Give the reason for the cancellation; the supplier will see it.", field="reason")
        now = timezone.now()
        membership = permissions.approving_membership(actor, locked.level)
        current = _supersede_current(locked, now)
        number = locked.current_version + 1
        locked.cancel(at=now, reason=text)
        locked.current_version = number
        locked.save()
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
        return {"reason": text, "version": number, "fingerprint": version.fingerprint, "descendants": cascaded}

    return _signed_change(
        order=order, actor=actor, action="cancel", password=password, expected_version=expected_version, apply=apply
    )


def _cancel_descendants(*, root: RatedOrder, actor: User, delegation: str, at: dt.datetime, reason: str) -> list[str]:
    """15 CFR 700.16: a cancellation reaches every supplier the order reached. Each open order
    extended from `root` (flow-down, any depth) gets its own signed cancellation notice, its own
    audit event and one notice to its supplier's contacts."""
    cancelled: list[str] = []
    frontier = [root.pk]
    while frontier:
        children = list(RatedOrder.objects.select_for_update().filter(parent_id__in=frontier).order_by("pk"))
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
                action="rated_order.cancel",
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
