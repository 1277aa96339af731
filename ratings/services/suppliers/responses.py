"""Supplier responses to rated orders (15 CFR 700.13; 45 CFR 101.33) and flow-down (700.15).

Every response: atomic() -> lock the order -> expected version -> permission (a refusal writes
exactly one "denied" audit event and nothing else) -> state -> input -> FSM transition -> a
signed SupplierResponse (printed name, UTC time, meaning; 21 CFR 11.50) bound to the version's
fingerprint (11.70) -> one audit event -> notices to whoever placed the order and to HHS intake.

Decisions (the issue is silent):
- A delay notice is a record, not a state: the order stays accepted (a supplier may notify
  several delays); its written confirmation is due DELAY_CONFIRMATION_WORKING_DAYS later.
- The supplier signs a response by acting in its authenticated session (no password re-entry,
  as the portal contract fixes); signing a flow-down order is a rated-order signature, so it
  re-checks the password (21 CFR 11.200, workflow.check_signing_credentials).
- Answers after the due time are still taken (the duty to answer remains) and marked `late`.
- Flow-down scope: a flow-down order extends an *accepted* order; each item's quantity is at
  most the parent's total ordered quantity (current version; units are not converted), and
  every required date is a real future date no later than the parent's latest required date
  (what the sub-tier delivers is needed to fill the parent in time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.constants import Outcome
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused, ValidationFailed
from ratings import permissions
from ratings.clock import agency_today, delay_confirmation_due
from ratings.constants import (
    SIGNATURE_MEANING_EXTENSION,
    SUPPLIER_RESPONSE_MEANINGS,
    DocumentKind,
    OrderStatus,
    RatingLevel,
    RejectionReason,
    Role,
    SupplierNoticeKind,
    SupplierResponseKind,
)
from ratings.models import Organization, RatedOrder, RatedOrderVersion, SupplierResponse, User
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.services.orders import clocks as order_clocks
from ratings.services.orders import issue as orders
from ratings.services.orders import notices as order_notices
from ratings.services.references import reference_allocate
from ratings.services.requests import workflow


@dataclass(frozen=True)
class FlowdownItemInput:
    description: str
    quantity: Any
    unit: str
    required_dates: list[dt.date | str] = field(default_factory=list)
    part_number: str = ""


# --- permission and input ----------------------------------------------------------------


def supplier_refusal(order: RatedOrder, user: Any) -> str | None:
    """Only a supplier contact of the order's supplier answers it (or extends it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if permissions.has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if permissions.is_hhs_staff(user):
        return "HHS staff do not answer rated orders; only the supplier's contacts do."
    if order.supplier_id not in permissions.organization_ids(user, Role.SUPPLIER_CONTACT):
        return "Only a contact of the supplier this order is addressed to can answer it."
    return None


def parse_date(value: dt.date | str | None, *, field_name: str, label: str, future: bool = True) -> dt.date:
    if value is None or value == "":
        raise ValidationFailed(f"Give the {label} (a calendar date).", field=field_name)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationFailed(
                f"The {label} must be a calendar date such as 2027-03-31; “ASAP” is not a date.", field=field_name
            ) from None
    if future and value <= agency_today():
        raise ValidationFailed(f"The {label} must be after today.", field=field_name)
    return value


def _content_sha256(version: RatedOrderVersion, values: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"order_fingerprint": version.fingerprint, **values}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- the shared path -----------------------------------------------------------------------


def _respond(
    *,
    order: RatedOrder,
    actor: User,
    action: str,
    expected_version: int | None,
    allowed: Sequence[str],
    apply: Callable[[RatedOrder, RatedOrderVersion, dt.datetime], tuple[SupplierResponse, dict[str, Any]]],
) -> RatedOrder:
    refused: str | None = None
    with transaction.atomic():
        locked = (
            RatedOrder.objects.select_for_update()
            .select_related("placing_organization", "supplier", "source_request")
            .get(pk=order.pk)
        )
        if expected_version is not None and locked.current_version != expected_version:
            raise ConcurrentChange("This order was changed (a new version was issued); reload it and answer again.")
        permissions.forget_memberships(actor)
        refused = supplier_refusal(locked, actor)
        if refused:
            audit.record(
                action=f"rated_order.{action}",
                actor=actor,
                target=locked,
                outcome=Outcome.DENIED,
                reference=locked.order_number,
                organization_id=locked.supplier_id,
                from_state=locked.status,
                reason=refused,
            )
        else:
            if locked.status not in allowed:
                raise InvalidState(
                    f"Order {locked.order_number} is {locked.get_status_display().lower()}; "
                    f"you cannot {action.replace('_', ' ')} it now."
                )
            from_state = locked.status
            version = RatedOrderVersion.objects.select_for_update().get(order=locked, number=locked.current_version)
            now = timezone.now()
            response, data = apply(locked, version, now)
            locked.save()
            audit.record(
                action=f"rated_order.{action}",
                actor=actor,
                target=locked,
                reference=locked.order_number,
                organization_id=locked.supplier_id,
                from_state=from_state,
                to_state=locked.status,
                reason=response.explanation,
                data={
                    "version": version.number,
                    "response_id": response.pk,
                    "signature": {"printed_name": response.printed_name, "meaning": response.meaning},
                    "content_sha256": response.content_sha256,
                    "late": response.late,
                    **data,
                },
            )
            order_notices.notify_response(order=locked, response=response)
    if refused is not None:
        raise PermissionRefused(refused)
    return locked


def _record(
    *, order: RatedOrder, version: RatedOrderVersion, actor: User, kind: str, at: dt.datetime, **values: Any
) -> SupplierResponse:
    meaning = SUPPLIER_RESPONSE_MEANINGS[SupplierResponseKind(kind)]
    late = version.response_due_at is not None and at > version.response_due_at and kind in ("accept", "reject")
    signed = {"kind": kind, "responder": actor.pk, "printed_name": actor.printed_name, "at": at.isoformat(), **values}
    return SupplierResponse.objects.create(
        order=order,
        version=version,
        kind=kind,
        responder=actor,
        printed_name=actor.printed_name,
        title=actor.title,
        responded_at=at,
        meaning=meaning,
        late=late,
        content_sha256=_content_sha256(version, {**signed, "meaning": meaning}),
        **values,
    )


# --- the contract --------------------------------------------------------------------------


def rated_order_accept(*, order: RatedOrder, actor: User, expected_version: int | None = None) -> RatedOrder:
    """The supplier accepts the current version (15 CFR 700.13(d)); its clock stops."""

    def apply(locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime) -> tuple[SupplierResponse, dict]:
        locked.accept()
        order_clocks.close_clock(version, now)
        return _record(order=locked, version=version, actor=actor, kind=SupplierResponseKind.ACCEPT, at=now), {}

    return _respond(
        order=order,
        actor=actor,
        action="accept",
        expected_version=expected_version,
        allowed=AWAITING_RESPONSE_STATUSES,
        apply=apply,
    )


# 15 CFR 700.13(c)(1)-(2): interference is a mandatory reason only for the level it names.
LEVEL_OF_INTERFERENCE_REASON: dict[str, str] = {
    RejectionReason.INTERFERES_WITH_DO_DX: RatingLevel.DO,
    RejectionReason.INTERFERES_WITH_DX: RatingLevel.DX,
}


def rated_order_reject(
    *,
    order: RatedOrder,
    actor: User,
    reason_code: str,
    explanation: str,
    earliest_date: dt.date | str | None = None,
    offers_to_accept: bool = False,
    expected_version: int | None = None,
) -> RatedOrder:
    """Rejection with a mandatory or optional reason and written reasons (15 CFR 700.13(b),(c))."""

    def apply(locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime) -> tuple[SupplierResponse, dict]:
        if reason_code not in RejectionReason.values:
            raise ValidationFailed("Choose the reason for rejecting the order from the list.", field="reason_code")
        text = (explanation or "").strip()
        if not text:
            raise ValidationFailed("Explain in writing why the order is rejected.", field="explanation")
        expected_level = LEVEL_OF_INTERFERENCE_REASON.get(reason_code)
        if expected_level and locked.level != expected_level:
            raise ValidationFailed(
                f"“{RejectionReason(reason_code).label}” applies to {expected_level} orders; this is a "
                f"{locked.level} order (15 CFR 700.13(c)).",
                field="reason_code",
            )
        earliest = None
        if reason_code == RejectionReason.CANNOT_MEET_DATE:
            earliest = parse_date(earliest_date, field_name="earliest_date", label="earliest date you can meet")
        locked.reject()
        order_clocks.close_clock(version, now)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.REJECT,
            at=now,
            reason_code=reason_code,
            explanation=text,
            earliest_date=earliest,
            offers_to_accept_on_that_basis=bool(offers_to_accept) if earliest else False,
        )
        return response, {
            "reason_code": reason_code,
            "earliest_date": earliest.isoformat() if earliest else None,
            "offers_to_accept": response.offers_to_accept_on_that_basis,
        }

    return _respond(
        order=order,
        actor=actor,
        action="reject",
        expected_version=expected_version,
        allowed=AWAITING_RESPONSE_STATUSES,
        apply=apply,
    )


def rated_order_notify_delay(
    *, order: RatedOrder, actor: User, reasons: str, new_date: dt.date | str, expected_version: int | None = None
) -> RatedOrder:
    """After acceptance, a delay is notified with reasons and a new date (15 CFR 700.13(d)(3))."""

    def apply(locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime) -> tuple[SupplierResponse, dict]:
        text = (reasons or "").strip()
        if not text:
            raise ValidationFailed("Give the reasons for the delay.", field="reasons")
        day = parse_date(new_date, field_name="new_date", label="new delivery date")
        due = delay_confirmation_due(notified_at=now)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.DELAY,
            at=now,
            explanation=text,
            new_date=day,
            confirmation_due=due,
        )
        return response, {"new_date": day.isoformat(), "confirmation_due": due.isoformat()}

    return _respond(
        order=order,
        actor=actor,
        action="notify_delay",
        expected_version=expected_version,
        allowed=[OrderStatus.ACCEPTED],
        apply=apply,
    )


def rated_order_mark_fulfilled(*, order: RatedOrder, actor: User, expected_version: int | None = None) -> RatedOrder:
    def apply(locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime) -> tuple[SupplierResponse, dict]:
        locked.fulfil()
        return _record(order=locked, version=version, actor=actor, kind=SupplierResponseKind.FULFILLED, at=now), {}

    return _respond(
        order=order,
        actor=actor,
        action="mark_fulfilled",
        expected_version=expected_version,
        allowed=[OrderStatus.ACCEPTED],
        apply=apply,
    )


# --- flow-down (15 CFR 700.15) -----------------------------------------------------------


def _parent_scope(version: RatedOrderVersion) -> tuple[Decimal, dt.date]:
    total = sum((Decimal(item["quantity"]) for item in version.items_snapshot), Decimal(0))
    latest = max(dt.date.fromisoformat(d["date"]) for item in version.items_snapshot for d in item["required_dates"])
    return total, latest


def _flowdown_items(
    items: list[FlowdownItemInput], po_number: str, parent_version: RatedOrderVersion
) -> list[dict[str, Any]]:
    if not items:
        raise ValidationFailed("Add at least one item the sub-tier supplier will deliver.", field="items")
    max_quantity, latest = _parent_scope(parent_version)
    cleaned = []
    for position, item in enumerate(items, start=1):
        if not (item.description or "").strip() or not (item.unit or "").strip():
            raise ValidationFailed(f"Item {position}: describe the item and its unit.", field="items")
        try:
            quantity = Decimal(str(item.quantity).strip())
        except (InvalidOperation, ValueError):
            raise ValidationFailed(f"Item {position}: the quantity must be a number.", field="items") from None
        if not quantity.is_finite() or quantity <= 0:
            raise ValidationFailed(f"Item {position}: the quantity must be more than zero.", field="items")
        if quantity > max_quantity:
            raise ValidationFailed(
                f"Item {position}: {orders.format_quantity(quantity)} is more than the rated order covers "
                f"({orders.format_quantity(max_quantity)}); a rating extends only to what is needed to fill it.",
                field="items",
            )
        if not item.required_dates:
            raise ValidationFailed(f"Item {position}: give at least one required delivery date.", field="items")
        dates = sorted(
            {parse_date(d, field_name="items", label=f"item {position} required date") for d in item.required_dates}
        )
        if dates[-1] > latest:
            raise ValidationFailed(
                f"Item {position}: {dates[-1].isoformat()} is after the rated order's latest required date "
                f"({latest.isoformat()}); what you order must arrive in time to fill it.",
                field="items",
            )
        cleaned.append(
            {
                "position": position,
                "description": item.description.strip(),
                "part_number": (item.part_number or "").strip(),
                "po_number": po_number,
                "quantity": orders.format_quantity(quantity),
                "unit": item.unit.strip(),
                "ship_to": "",
                "required_dates": [{"date": d.isoformat(), "quantity": None} for d in dates],
            }
        )
    return cleaned


def flowdown_order_create(
    *,
    parent: RatedOrder,
    actor: User,
    sub_supplier: Organization,
    po_number: str,
    items: list[FlowdownItemInput],
    password: str = "",
) -> RatedOrder:
    """The supplier extends the rating of an accepted order to its own supplier: a child rated
    order (same rating), signed by the supplier's contact, with its own document and clock."""
    refused: str | None = None
    with transaction.atomic():
        locked = RatedOrder.objects.select_for_update().select_related("supplier").get(pk=parent.pk)
        permissions.forget_memberships(actor)
        try:
            reason = supplier_refusal(locked, actor)
            if reason:
                raise workflow.AuditedRefusal(reason)
            workflow.check_signing_credentials(actor, password)
        except workflow.AuditedRefusal as refusal:
            refused = refusal.message
            audit.record(
                action="rated_order.flowdown",
                actor=actor,
                target=locked,
                outcome=Outcome.DENIED,
                reference=locked.order_number,
                organization_id=locked.supplier_id,
                from_state=locked.status,
                reason=refused,
            )
        else:
            child = _create_child(locked, actor, sub_supplier, po_number, items)
    if refused is not None:
        raise PermissionRefused(refused)
    return child


def _create_child(
    parent: RatedOrder, actor: User, sub_supplier: Organization, po_number: str, items: list[FlowdownItemInput]
) -> RatedOrder:
    if parent.status != OrderStatus.ACCEPTED:
        raise InvalidState(
            f"Order {parent.order_number} is {parent.get_status_display().lower()}; accept it before extending "
            "its rating to your suppliers."
        )
    po = (po_number or "").strip()
    if not po:
        raise ValidationFailed("Give the number of your purchase order to the sub-tier supplier.", field="po_number")
    if not sub_supplier.is_active or sub_supplier.pk in (parent.supplier_id, parent.placing_organization_id):
        raise ValidationFailed(
            "Choose an active organization other than yourself and your customer as the sub-tier supplier.",
            field="sub_supplier",
        )
    parent_version = RatedOrderVersion.objects.get(order=parent, number=parent.current_version)
    cleaned = _flowdown_items(items, po, parent_version)
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
    audit.record(
        action="rated_order.flowdown",
        actor=actor,
        target=child,
        reference=child.order_number,
        organization_id=parent.supplier_id,
        to_state=child.status,
        data={
            "parent": parent.order_number,
            "rating": child.rating,
            "supplier_id": sub_supplier.pk,
            "po_number": po,
            "version": 1,
            "fingerprint": version.fingerprint,
            "items": cleaned,
            "signature": {"meaning": SIGNATURE_MEANING_EXTENSION},
            "response_working_days": settings.SUPPLIER_RESPONSE_WORKING_DAYS[child.level],
        },
    )
    return child
