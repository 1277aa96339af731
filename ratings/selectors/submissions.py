"""What changed between two submissions of a request, field by field, for reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ratings.models import RatingRequest, RequestSubmission

LABELS = {
    "government_program": "Government program",
    "contract_number": "Government contract number",
    "end_customer": "End customer / end user",
    "category": "Health-resource category",
    "health_resource": "Health resource",
    "requested_level": "Rating level",
    "program": "Program",
    "is_emergency": "Emergency preparedness order",
    "emergency_response_hours": "Emergency response limit (hours)",
    "contracting_agency": "Contracting agency",
    "contracting_officer": "Contracting officer",
    "end_use": "End use",
    "fda_status": "FDA regulatory status",
    "fda_status_other": "FDA status (other)",
    "fda_number": "FDA application or approval number",
    "related_rated_orders": "Related rated orders",
    "need": "Need",
    "efforts": "Efforts already made",
    "impact": "Impact of delay",
    "supplier": "Supplier",
    "po_number": "PO number",
    "description": "Description",
    "part_number": "Part number",
    "quantity": "Quantity",
    "unit": "Unit",
    "ship_to": "Ship to",
    "required_dates": "Required delivery dates",
    "quoted_date": "Supplier's quoted date",
    "order_value": "Order value (USD)",
}


@dataclass(frozen=True)
class Change:
    section: str  # "Details", "Justification", "Item 2", "Attachments"
    field: str
    before: str
    after: str


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _fields(section: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    keys = [key for key in LABELS if key in before or key in after]
    return [
        Change(section, LABELS[key], _text(before.get(key)), _text(after.get(key)))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def _item_summary(item: dict[str, Any]) -> str:
    return f"{item['description']} — {item['quantity']} {item['unit']} from {item['supplier']}"


def content_diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Every field whose value differs; items are compared by their position on the request."""
    changes = _fields("Details", before.get("details", {}), after.get("details", {}))
    changes += _fields("Justification", before.get("justification", {}), after.get("justification", {}))
    old_items = {item["position"]: item for item in before.get("items", [])}
    new_items = {item["position"]: item for item in after.get("items", [])}
    for position in sorted(old_items.keys() | new_items.keys()):
        old, new = old_items.get(position), new_items.get(position)
        section = f"Item {position}"
        if old is None and new is not None:
            changes.append(Change(section, "Item added", "—", _item_summary(new)))
        elif new is None and old is not None:
            changes.append(Change(section, "Item removed", _item_summary(old), "—"))
        elif old is not None and new is not None:
            changes += _fields(section, old, new)
    old_files = {(a["name"], a["sha256"]) for a in before.get("attachments", [])}
    new_files = {(a["name"], a["sha256"]) for a in after.get("attachments", [])}
    changes += [Change("Attachments", "File added", "—", name) for name, _ in sorted(new_files - old_files)]
    changes += [Change("Attachments", "File removed", name, "—") for name, _ in sorted(old_files - new_files)]
    return changes


@dataclass(frozen=True)
class SubmissionHistory:
    submissions: list[RequestSubmission]
    latest_changes: list[Change]  # latest submission against the one before it
    compared: tuple[int, int] | None  # the submission numbers compared


def submission_history(rating_request: RatingRequest) -> SubmissionHistory:
    submissions = list(rating_request.submissions.select_related("submitted_by", "returned_by").order_by("number"))
    if len(submissions) < 2:
        return SubmissionHistory(submissions, [], None)
    before, after = submissions[-2], submissions[-1]
    return SubmissionHistory(submissions, content_diff(before.content, after.content), (before.number, after.number))
