"""Preparing a request: create it, and edit its details and line items while it is a draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from ratings.services import items, transition
from ratings.services.references import reference_allocate
from ratings.services.requests import need


@dataclass(frozen=True, kw_only=True)
class LineItemInput(items.ItemInput):
    """One order to be rated: an item, its supplier and the supplier's PO number."""

    supplier_id: object


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
    contracting_agency: str = ""
    contracting_officer: str = ""
    end_use: str = ""
    fda_status: str = ""
    fda_status_other: str = ""
    fda_number: str = ""
    related_rated_orders: object = ()


@dataclass(frozen=True)
class _CleanLineItem:
    supplier: Organization
    item: items.CleanItem


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
    *need.NEED_FIELDS,
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
        "government_program": items.clean_text(
            details.government_program,
            field="government_program",
            label="The government program",
            max_length=200,
        ),
        "category": details.category,
        "health_resource": items.clean_text(
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
        **need.clean_need_fields({name: getattr(details, name) for name in need.NEED_FIELDS}),
    }


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _clean_line_items(line_items: Sequence[LineItemInput]) -> list[_CleanLineItem]:
    cleaned = items.clean_items(line_items, field="line_items")
    supplier_ids = {_as_int(line.supplier_id) for line in line_items}
    suppliers = Organization.objects.in_bulk([s for s in supplier_ids if s is not None and 0 < s < 2**63])
    result = []
    for item, line in zip(cleaned, line_items, strict=True):
        supplier = suppliers.get(_as_int(line.supplier_id) or 0)
        if supplier is None or supplier.kind != OrganizationKind.SUPPLIER or not supplier.is_active:
            raise ValidationFailed(
                f"Item {item.number}: unknown supplier; choose a registered supplier organization.",
                field=f"line_items[{item.number}].supplier",
            )
        result.append(_CleanLineItem(supplier=supplier, item=item))
    return result


def _write_line_items(rating_request: RatingRequest, line_items: list[_CleanLineItem]) -> None:
    rating_request.line_items.all().delete()
    for line in line_items:
        row = RequestLineItem.objects.create(
            request=rating_request,
            position=line.item.number,
            supplier=line.supplier,
            quoted_date=line.item.quoted_date,
            order_value=line.item.order_value,
            **line.item.columns(),
        )
        LineItemDelivery.objects.bulk_create(
            [LineItemDelivery(line_item=row, required_date=day, quantity=qty) for day, qty in line.item.deliveries]
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
            "quoted_date": item.quoted_date.isoformat() if item.quoted_date else None,
            "order_value": None if item.order_value is None else str(item.order_value),
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
        cleaned = _clean_line_items(line_items)
        year = timezone.now().year
        number = reference_allocate(kind="PRR", year=year)
        rating_request = RatingRequest.objects.create(
            reference=f"PRR-{year}-{number:05d}",
            applicant_organization=organization,
            applicant_contact=actor,
            **values,
        )
        _write_line_items(rating_request, cleaned)
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
        cleaned = _clean_line_items(line_items)
        before = line_items_summary(locked)
        _write_line_items(locked, cleaned)
        return transition.Applied(changes={"line_items": [before, line_items_summary(locked)]})

    return transition.perform(
        transition.REQUEST,
        EDITABLE["set_line_items"],
        target=rating_request,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
    )


def rating_request_copy(*, source: RatingRequest, actor: User) -> RatingRequest:
    """A new draft that starts from an earlier request of the same organization: its details,
    justification, line items and suppliers, as they were saved. Nothing is checked again here
    (the rows were valid when saved); the wizard's steps and submission check them, so a
    required date that has passed must be changed before the new request can be submitted."""
    organization = source.applicant_organization

    def apply() -> RatingRequest:
        year = timezone.now().year
        number = reference_allocate(kind="PRR", year=year)
        values = {name: getattr(source, name) for name in DETAIL_FIELDS}
        rating_request = RatingRequest.objects.create(
            reference=f"PRR-{year}-{number:05d}",
            applicant_organization=organization,
            applicant_contact=actor,
            **values,
        )
        rows = source.line_items.select_related("supplier").prefetch_related("deliveries").order_by("position")
        _write_line_items(
            rating_request,
            [
                _CleanLineItem(
                    supplier=row.supplier,
                    item=items.CleanItem.from_row(
                        row,
                        number=row.position,
                        deliveries=[(d.required_date, d.quantity) for d in row.deliveries.all()],
                    ),
                )
                for row in rows
            ],
        )
        audit.record(
            action=audit_actions.REQUEST_COPY,
            actor=actor,
            target=rating_request,
            reference=rating_request.reference,
            organization_id=organization.pk,
            to_state=rating_request.state,
            data={"copied_from": source.reference, "line_items": line_items_summary(rating_request)},
        )
        return rating_request

    return transition.perform_create(
        audit_actions.REQUEST_COPY,
        actor=actor,
        refusal=permissions.request_create_refusal(organization, actor),
        organization_id=organization.pk,
        target=source,
        apply=apply,
    )
