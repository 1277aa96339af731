"""Helpers for the supplier pages' tests: issued orders and what a refused action must not change."""

from __future__ import annotations

from typing import Any

from audit.models import AuditEvent
from ratings.constants import RatingLevel, RequestState
from ratings.models import Notification, RatedOrder
from ratings.services.requests import drafts, workflow
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, Cast, details, otp, place_orders, request_in_state


def issue(cast: Cast, *, capture: Any = None, level: str = RatingLevel.DO, **kwargs: Any) -> RatedOrder:
    """An approved request's rated order to the first supplier; with `capture` (the
    django_capture_on_commit_callbacks fixture) its document is generated and its notice sent."""
    if capture is None:
        rr = request_in_state(cast, RequestState.ISSUED, level=level, **kwargs)
    else:
        with capture(execute=True):
            rr = request_in_state(cast, RequestState.ISSUED, level=level, **kwargs)
    return rr.rated_orders.order_by("order_number").first()


def issue_with_items(cast: Cast, items: list[drafts.LineItemInput]) -> RatedOrder:
    """A DO order with the given items (one supplier), approved through the services."""
    rr = drafts.rating_request_create(
        actor=cast.applicant, organization=cast.manufacturer, details=details(cast), line_items=items
    )
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    rr = workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Approved."
    )
    return place_orders(cast, rr)[0]


def accepted(cast: Cast, **kwargs: Any) -> RatedOrder:
    order = issue(cast, **kwargs)
    return supplier_responses.rated_order_accept(order=order, actor=cast.supplier)


def order_snapshot(order: RatedOrder) -> tuple[Any, ...]:
    """Status, version, responses, flow-down orders, audit rows and notices: what a refused action must not change."""
    fresh = RatedOrder.objects.get(pk=order.pk)
    return (
        fresh.status,
        fresh.current_version,
        fresh.responses.count(),
        fresh.children.count(),
        RatedOrder.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )
