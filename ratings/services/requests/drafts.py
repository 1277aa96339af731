"""Preparing a request: create it, and edit its details and line items while it is a draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import EDITABLE_STATES, HealthResourceCategory, OrganizationKind, RatingLevel
from ratings.models import (
    LineItemDelivery,
    Organization,
    Program,
    RatingRequest,
    RequestLineItem,
    User,
)
from ratings.services import transition
from ratings.services.references import reference_allocate
from ratings.services.validation import parse_quantity, parse_required_date, require_text


@dataclass(frozen=True)
class DeliveryInput:
    required_date: object
    quantity: object = None


@dataclass(frozen=True)
class LineItemInput:
    supplier_id: object
    po_number: str
    description: str
    quantity: object
    unit: str
    deliveries: Sequence[DeliveryInput]
    part_number: str = ""
    ship_to: str = ""


@dataclass(frozen=True)
class RequestDetails:
    government_program: str
    category: str
    health_resource: str
    requested_level: str
    program_id: object
    contract_number: str = ""
    end_customer: str = ""
    justification_need: str = ""
    justification_efforts: str = ""
    justification_impact: str = ""
    is_emergency: bool = False
    emergency_response_hours: int | None = None


@dataclass
class _CleanLineItem:
    supplier: Organization
    values: dict[str, Any]
    deliveries: list[tuple[Any, Decimal | None]] = field(default_factory=list)


DETAIL_FIELDS = (
    "government_program",
    "category",
    "health_resource",
    "requested_level",
    "program_id",
    "contract_number",
    "end_customer",
    "justification_need",
    "justification_efforts",
    "justification_impact",
    "is_emergency",
    "emergency_response_hours",
)


def _clean_details(details: RequestDetails) -> dict[str, Any]:
    if details.category not in HealthResourceCategory.values:
        raise ValidationFailed("Choose a health-resource category from the list.", field="category")
    if details.requested_level not in RatingLevel.values:
        raise ValidationFailed("Choose a rating level: DO or DX.", field="requested_level")
    program = Program.objects.filter(pk=_as_int(details.program_id) or 0, is_active=True).first()
    if program is None:
        raise ValidationFailed("Choose a program from the list.", field="program")
    if not program.allows(details.requested_level):
        raise ValidationFailed(
            f"Program {program.symbol} does not allow {details.requested_level} ratings.",
            field="requested_level",
        )
    hours = _as_int(details.emergency_response_hours) if details.is_emergency else None
    if details.is_emergency and (hours is None or not 1 <= hours < 2**31):
        raise ValidationFailed(
            "An emergency preparedness order needs the time limit, in hours, for the supplier to accept or reject.",
            field="emergency_response_hours",
        )
    return {
        "government_program": require_text(
            details.government_program,
            field="government_program",
            label="The government program",
            max_length=200,
        ),
        "category": details.category,
        "health_resource": require_text(
            details.health_resource,
            field="health_resource",
            label="The health resource",
            max_length=200,
        ),
        "requested_level": details.requested_level,
        "program_id": program.pk,
        "contract_number": str(details.contract_number or "").strip()[:100],
        "end_customer": str(details.end_customer or "").strip()[:200],
        "justification_need": str(details.justification_need or "").strip(),
        "justification_efforts": str(details.justification_efforts or "").strip(),
        "justification_impact": str(details.justification_impact or "").strip(),
        "is_emergency": bool(details.is_emergency),
        "emergency_response_hours": int(hours) if hours is not None else None,
    }


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _clean_line_items(items: Sequence[LineItemInput]) -> list[_CleanLineItem]:
    cleaned: list[_CleanLineItem] = []
    supplier_ids = {_as_int(item.supplier_id) for item in items}
    suppliers = Organization.objects.in_bulk([s for s in supplier_ids if s is not None])
    for index, item in enumerate(items, start=1):
        prefix = f"line_items[{index}]"
        supplier = suppliers.get(_as_int(item.supplier_id) or 0)
        if supplier is None or supplier.kind != OrganizationKind.SUPPLIER or not supplier.is_active:
            raise ValidationFailed(
                f"Item {index}: unknown supplier; choose a registered supplier organization.",
                field=f"{prefix}.supplier",
            )
        values = {
            "position": index,
            "supplier": supplier,
            "po_number": require_text(
                item.po_number,
                field=f"{prefix}.po_number",
                label=f"Item {index}: the PO number",
                max_length=60,
            ),
            "description": require_text(
                item.description,
                field=f"{prefix}.description",
                label=f"Item {index}: the description",
                max_length=300,
            ),
            "part_number": str(item.part_number or "").strip()[:100],
            "quantity": parse_quantity(item.quantity, field=f"{prefix}.quantity"),
            "unit": require_text(item.unit, field=f"{prefix}.unit", label=f"Item {index}: the unit", max_length=30),
            "ship_to": str(item.ship_to or "").strip()[:300],
        }
        if not item.deliveries:
            raise ValidationFailed(
                f"Item {index}: give at least one required delivery date.",
                field=f"{prefix}.deliveries",
            )
        clean = _CleanLineItem(supplier=supplier, values=values)
        seen = set()
        for d_index, delivery in enumerate(item.deliveries, start=1):
            day = parse_required_date(delivery.required_date, field=f"{prefix}.deliveries[{d_index}].required_date")
            if day in seen:
                raise ValidationFailed(
                    f"Item {index}: the date {day.isoformat()} is given twice.",
                    field=f"{prefix}.deliveries",
                )
            seen.add(day)
            quantity = None
            if delivery.quantity not in (None, ""):
                quantity = parse_quantity(delivery.quantity, field=f"{prefix}.deliveries[{d_index}].quantity")
            clean.deliveries.append((day, quantity))
        cleaned.append(clean)
    return cleaned


def _write_line_items(rating_request: RatingRequest, items: list[_CleanLineItem]) -> None:
    rating_request.line_items.all().delete()
    for item in items:
        line = RequestLineItem.objects.create(request=rating_request, **item.values)
        LineItemDelivery.objects.bulk_create(
            [LineItemDelivery(line_item=line, required_date=day, quantity=qty) for day, qty in item.deliveries]
        )


def line_items_summary(rating_request: RatingRequest) -> list[dict[str, Any]]:
    return [
        {
            "supplier": item.supplier.legal_name,
            "po_number": item.po_number,
            "description": item.description,
            "quantity": str(item.quantity),
            "unit": item.unit,
            "dates": [d.required_date.isoformat() for d in item.deliveries.all()],
        }
        for item in rating_request.line_items.select_related("supplier").prefetch_related("deliveries")
    ]


EDITABLE = {
    name: transition.Action(
        audit=audit_action,
        permission=permissions.request_rule("edit"),
        states=EDITABLE_STATES,
        state_message="{noun} {reference} is {state}; only drafts and requests returned for correction can be edited.",
    )
    for name, audit_action in (
        ("update", audit_actions.REQUEST_UPDATE),
        ("set_line_items", audit_actions.REQUEST_SET_LINE_ITEMS),
    )
}


def rating_request_create(
    *,
    actor: User,
    organization: Organization | None,
    details: RequestDetails,
    line_items: Sequence[LineItemInput] = (),
) -> RatingRequest:
    """A new draft for `organization`, prepared by one of its applicants."""

    def apply() -> RatingRequest:
        assert organization is not None  # the permission rule refused otherwise
        values = _clean_details(details)
        items = _clean_line_items(line_items)
        year = timezone.now().year
        number = reference_allocate(kind="PRR", year=year)
        rating_request = RatingRequest.objects.create(
            reference=f"PRR-{year}-{number:05d}",
            applicant_organization=organization,
            applicant_contact=actor,
            **values,
        )
        _write_line_items(rating_request, items)
        audit.record(
            action=audit_actions.REQUEST_CREATE,
            actor=actor,
            target=rating_request,
            reference=rating_request.reference,
            organization_id=rating_request.applicant_organization_id,
            to_state=rating_request.state,
            data={
                "details": {k: values[k] for k in DETAIL_FIELDS},
                "line_items": line_items_summary(rating_request),
            },
        )
        return rating_request

    return transition.perform_create(
        audit_actions.REQUEST_CREATE,
        actor=actor,
        refusal=permissions.request_create_refusal(organization, actor),
        organization_id=organization.pk if organization else None,
        apply=apply,
    )


def rating_request_update(
    *,
    rating_request: RatingRequest,
    actor: User,
    details: RequestDetails,
    expected_version: int | None = None,
) -> RatingRequest:
    def apply(locked: RatingRequest) -> transition.Applied:
        changes = {}
        for name, new in _clean_details(details).items():
            old = getattr(locked, name)
            if old != new:
                changes[name] = [old, new]
                setattr(locked, name, new)
        return transition.Applied(changes=changes, unchanged=not changes)

    return transition.perform(
        transition.REQUEST,
        EDITABLE["update"],
        target=rating_request,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
    )


def rating_request_set_line_items(
    *,
    rating_request: RatingRequest,
    actor: User,
    line_items: Sequence[LineItemInput],
    expected_version: int | None = None,
) -> RatingRequest:
    """Replace the draft's line items; all of them are checked before anything is written."""

    def apply(locked: RatingRequest) -> transition.Applied:
        items = _clean_line_items(line_items)
        before = line_items_summary(locked)
        _write_line_items(locked, items)
        return transition.Applied(changes={"line_items": [before, line_items_summary(locked)]})

    return transition.perform(
        transition.REQUEST,
        EDITABLE["set_line_items"],
        target=rating_request,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
    )
