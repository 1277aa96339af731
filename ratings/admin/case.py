"""The whole case of a rating request, as the request page and every decision page show it:
details, items with suppliers and dates, justification, attachments, questions and answers, the
checklist as a checklist, the recommendation, the submissions and what changed between them,
the review clock, and the orders approval would issue (previews) or did issue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from ratings.clock import review_clock
from ratings.constants import REVIEW_CHECKLIST
from ratings.models import RatingRequest
from ratings.selectors import requests as request_selectors
from ratings.selectors.submissions import submission_history
from ratings.services.orders import preview


@dataclass(frozen=True)
class ChecklistRow:
    key: str
    label: str
    holds: bool | None  # None: not answered yet


def checklist_rows(rating_request: RatingRequest) -> list[ChecklistRow]:
    answers = rating_request.review_checklist or {}
    return [ChecklistRow(key, label, answers.get(key)) for key, label in REVIEW_CHECKLIST.items()]


def preview_links(rating_request: RatingRequest) -> list[tuple[str, str]]:
    """(supplier, preview URL) of each order approval would issue, while a decision is ahead."""
    if rating_request.state not in preview.PREVIEWABLE_STATES:
        return []
    return [
        (supplier.legal_name, reverse("admin:ratings_ratingrequest_preview", args=[rating_request.pk, supplier.pk]))
        for supplier in preview.preview_suppliers(rating_request)
    ]


def case_context(rating_request: RatingRequest) -> dict[str, Any]:
    line_items = list(rating_request.line_items.select_related("supplier").prefetch_related("deliveries"))
    values = [item.order_value for item in line_items if item.order_value is not None]
    return {
        "rr": rating_request,
        "line_items": line_items,
        "order_value_total": sum(values, Decimal(0)) if values else None,
        "attachments": rating_request.attachments.select_related("information_request", "uploaded_by"),
        "questions": rating_request.information_requests.select_related("asked_by", "responded_by"),
        "checklist": checklist_rows(rating_request),
        "history": submission_history(rating_request),
        "clock": review_clock(rating_request),
        "previews": preview_links(rating_request),
        "issued_orders": rating_request.rated_orders.filter(parent__isnull=True).select_related("supplier"),
        "approval_decision": request_selectors.approval_decision(rating_request),
    }
