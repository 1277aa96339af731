"""Preparing a request: create, edit while in draft, line items, attachments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, NoReturn

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused, ValidationFailed
from ratings import permissions, uploads
from ratings.constants import HealthResourceCategory, OrganizationKind, RatingLevel, RequestState
from ratings.models import (
    Attachment,
    InformationRequest,
    LineItemDelivery,
    Organization,
    Program,
    RatingRequest,
    RequestLineItem,
    User,
)
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


def _editable_draft(request_id: int, actor: User, expected_version: int | None) -> RatingRequest:
    rating_request = RatingRequest.objects.select_for_update().get(pk=request_id)
    if expected_version is not None and rating_request.version != expected_version:
        raise ConcurrentChange()
    if rating_request.state != RequestState.DRAFT:
        raise InvalidState(
            f"Request {rating_request.reference} is {rating_request.get_state_display().lower()}; only drafts can be edited."
        )
    return rating_request


def _refuse(
    action: str,
    actor: User,
    rating_request: RatingRequest | None,
    organization: Organization | None,
    message: str,
) -> NoReturn:
    """Record a permission refusal in its own transaction (it must survive), then raise it."""
    with transaction.atomic():
        audit.record(
            action=action,
            actor=actor,
            target=rating_request,
            outcome="denied",
            reason=message,
            organization_id=organization.pk if organization else None,
            reference=rating_request.reference if rating_request else "",
        )
    raise PermissionRefused(message)


def rating_request_create(
    *,
    actor: User,
    organization: Organization | None,
    details: RequestDetails,
    line_items: Sequence[LineItemInput] = (),
) -> RatingRequest:
    """A new draft for `organization`, prepared by one of its applicants."""
    if (
        organization is None
        or organization.kind != OrganizationKind.MANUFACTURER
        or organization.pk not in permissions.organization_ids(actor, "applicant")
        or permissions.has_role(actor, "auditor")
    ):
        _refuse(
            "rating_request.create",
            actor,
            None,
            organization,
            "Only an applicant of a manufacturer can prepare a request for it.",
        )
    values = _clean_details(details)
    items = _clean_line_items(line_items)
    with transaction.atomic():
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
            action="rating_request.create",
            actor=actor,
            target=rating_request,
            reference=rating_request.reference,
            organization_id=organization.pk if organization else None,
            to_state=rating_request.state,
            data={
                "details": {k: values[k] for k in DETAIL_FIELDS},
                "line_items": line_items_summary(rating_request),
            },
        )
    return rating_request


def _check_applicant(action: str, rating_request: RatingRequest, actor: User) -> None:
    message = permissions.refusal("edit", rating_request, actor)
    if message:
        _refuse(action, actor, rating_request, rating_request.applicant_organization, message)


def rating_request_update(
    *,
    request: RatingRequest,
    actor: User,
    details: RequestDetails,
    expected_version: int | None = None,
) -> RatingRequest:
    _check_applicant("rating_request.update", request, actor)
    values = _clean_details(details)
    with transaction.atomic():
        rating_request = _editable_draft(request.pk, actor, expected_version)
        changes = {}
        for name, new in values.items():
            old = getattr(rating_request, name)
            if old != new:
                changes[name] = [old, new]
                setattr(rating_request, name, new)
        if changes:
            rating_request.version += 1
            rating_request.save()
            audit.record(
                action="rating_request.update",
                actor=actor,
                target=rating_request,
                reference=rating_request.reference,
                organization_id=rating_request.applicant_organization_id,
                changes=changes,
            )
    return rating_request


def rating_request_set_line_items(
    *,
    request: RatingRequest,
    actor: User,
    line_items: Sequence[LineItemInput],
    expected_version: int | None = None,
) -> RatingRequest:
    """Replace the draft's line items; all of them are checked before anything is written."""
    _check_applicant("rating_request.set_line_items", request, actor)
    items = _clean_line_items(line_items)
    with transaction.atomic():
        rating_request = _editable_draft(request.pk, actor, expected_version)
        before = line_items_summary(rating_request)
        _write_line_items(rating_request, items)
        rating_request.version += 1
        rating_request.save()
        audit.record(
            action="rating_request.set_line_items",
            actor=actor,
            target=rating_request,
            reference=rating_request.reference,
            organization_id=rating_request.applicant_organization_id,
            changes={"line_items": [before, line_items_summary(rating_request)]},
        )
    return rating_request


def attachment_add(
    *,
    request: RatingRequest,
    actor: User,
    stream: IO[bytes],
    original_name: str,
    information_request: InformationRequest | None = None,
) -> Attachment:
    """Store an uploaded file privately, after checking its content type and size."""
    _check_applicant("attachment.add", request, actor)
    name = (original_name or "attachment").replace("\\", "/").rsplit("/", 1)[-1][:255] or "attachment"
    sniffed = uploads.sniff(stream)
    if sniffed is None:
        raise ValidationFailed(
            f"“{name}” is not an accepted file: its content is not {uploads.ACCEPTED_TYPES_TEXT}.",
            field="file",
        )
    limit = settings.ATTACHMENT_MAX_BYTES
    if sniffed.size > limit:
        raise ValidationFailed(
            f"“{name}” is {sniffed.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            field="file",
        )
    allowed_states = {RequestState.DRAFT} | ({RequestState.INFO_REQUESTED} if information_request else set())
    with transaction.atomic():
        rating_request = RatingRequest.objects.select_for_update().get(pk=request.pk)
        if rating_request.state not in allowed_states:
            raise InvalidState("Attachments can be added to drafts, or with an answer to an HHS question.")
        attachment = Attachment(
            request=rating_request,
            information_request=information_request,
            original_name=name,
            content_type=sniffed.content_type,
            size=sniffed.size,
            sha256=sniffed.sha256,
            uploaded_by=actor,
        )
        stream.seek(0)
        attachment.file.save(name, ContentFile(stream.read()), save=False)
        attachment.save()
        audit.record(
            action="attachment.add",
            actor=actor,
            target=attachment,
            reference=rating_request.reference,
            organization_id=rating_request.applicant_organization_id,
            data={
                "name": name,
                "content_type": sniffed.content_type,
                "size": sniffed.size,
                "sha256": sniffed.sha256,
            },
        )
    return attachment
