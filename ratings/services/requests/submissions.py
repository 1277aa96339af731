"""The content of a request as certified at each submission, kept whole (RequestSubmission).

Written inside the submit and resubmit transitions, so a stored submission is exactly what the
applicant certified; the return for correction marks the submission it sends back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ratings.models import RatingRequest, RequestSubmission, User
from ratings.services.requests.need import NEED_FIELDS

DETAIL_KEYS = (
    "government_program",
    "contract_number",
    "end_customer",
    "category",
    "health_resource",
    "requested_level",
    "program",
    "is_emergency",
    "emergency_response_hours",
    *NEED_FIELDS,
)


def format_quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def request_content(rating_request: RatingRequest) -> dict[str, Any]:
    """Everything the applicant certifies, as plain JSON values (names rather than ids)."""
    details = {key: getattr(rating_request, key) for key in DETAIL_KEYS if key not in {"category", "program"}}
    details["category"] = rating_request.get_category_display()
    details["fda_status"] = rating_request.get_fda_status_display()
    details["program"] = rating_request.program.symbol
    items = [
        {
            "position": item.position,
            "supplier": item.supplier.legal_name,
            "po_number": item.po_number,
            "description": item.description,
            "part_number": item.part_number,
            "quantity": format_quantity(item.quantity),
            "unit": item.unit,
            "ship_to": item.ship_to,
            "quoted_date": item.quoted_date.isoformat() if item.quoted_date else "",
            "order_value": format(item.order_value, "f") if item.order_value is not None else "",
            "required_dates": [
                d.required_date.isoformat() + (f" ({format_quantity(d.quantity)})" if d.quantity is not None else "")
                for d in item.deliveries.all()
            ],
        }
        for item in rating_request.line_items.select_related("supplier").prefetch_related("deliveries")
    ]
    attachments = [
        {"name": a.original_name, "sha256": a.sha256, "size": a.size}
        for a in rating_request.attachments.filter(information_request__isnull=True).order_by("uploaded_at", "pk")
    ]
    return {
        "details": details,
        "justification": {
            "need": rating_request.justification_need,
            "efforts": rating_request.justification_efforts,
            "impact": rating_request.justification_impact,
        },
        "items": items,
        "attachments": attachments,
    }


def submission_record(
    *, rating_request: RatingRequest, actor: User, at: dt.datetime, note: str = ""
) -> RequestSubmission:
    """Store the submission being certified now (inside the submit or resubmit transition)."""
    number = rating_request.submissions.count() + 1
    return RequestSubmission.objects.create(
        request=rating_request,
        number=number,
        submitted_at=at,
        submitted_by=actor,
        certified_name=rating_request.certified_name,
        content=request_content(rating_request),
        applicant_note=note,
    )


def submission_mark_returned(
    *, rating_request: RatingRequest, actor: User, at: dt.datetime, reason: str
) -> RequestSubmission:
    """Mark the latest submission as returned. A request submitted before submissions were kept
    gets its first one now, from its content as it still stands (nothing changed since)."""
    latest = rating_request.submissions.order_by("-number").first()
    if latest is None:
        latest = RequestSubmission.objects.create(
            request=rating_request,
            number=1,
            submitted_at=rating_request.submitted_at or at,
            submitted_by=rating_request.certified_by or rating_request.applicant_contact,
            certified_name=rating_request.certified_name,
            content=request_content(rating_request),
        )
    latest.returned_at, latest.returned_by, latest.return_reason = at, actor, reason
    latest.returned_from = rating_request.state
    latest.save(update_fields=["returned_at", "returned_by", "return_reason", "returned_from"])
    return latest
