"""Events for integrations: written in the transaction of their cause (the outbox), read from
the feed (/api/v1/events/) and POSTed to the organization's subscribed webhook endpoints.

One row per event and organization: each organization gets its own `msg_…` id, which is the
`webhook-id` of every attempt. A legally required notice is never only an event: the causes
below also write their e-mail notices (services.notifications.outbox).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ratings.constants import WebhookEventType
from ratings.models import RatedOrder, RatedOrderVersion, RatingRequest, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ratings.services.webhooks.endpoints import enqueue


def new_event_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def event_publish(*, type: str, organization_ids: Iterable[int], data: dict[str, Any]) -> list[WebhookEvent]:
    """Record one event per organization and one pending delivery per subscribed endpoint;
    deliveries are queued once the cause commits (and never if it rolls back)."""
    now = timezone.now()
    events = [
        WebhookEvent.objects.create(
            event_id=new_event_id(),
            type=type,
            organization_id=organization_id,
            occurred_at=now,
            payload={"type": type, "timestamp": now.isoformat(), "data": data},
        )
        for organization_id in sorted(set(organization_ids))
    ]
    by_org = {event.organization_id: event for event in events}
    endpoints = WebhookEndpoint.objects.filter(organization_id__in=by_org, is_active=True)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(event=by_org[endpoint.organization_id], endpoint=endpoint, next_attempt_at=now)
            for endpoint in endpoints
            if type in endpoint.event_types
        ]
    )
    for delivery in deliveries:
        transaction.on_commit(functools.partial(enqueue, delivery.pk))
    return events


# --- what each cause publishes -------------------------------------------------------------


def _order_data(order: RatedOrder, version: RatedOrderVersion | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order_number": order.order_number,
        "status": order.status,
        "rating": order.rating,
        "version": version.number if version else order.current_version,
        "url": reverse("api-order", args=[order.order_number]),
    }
    return data


def order_version_published(*, order: RatedOrder, version: RatedOrderVersion, type: str) -> None:
    """Issued, amended or cancelled: the supplier and whoever placed the order are told."""
    event_publish(
        type=type,
        organization_ids=[order.supplier_id, order.placing_organization_id],
        data=_order_data(order, version),
    )


def order_document_ready(*, version: RatedOrderVersion) -> None:
    order = version.order
    data = _order_data(order, version)
    data["document_url"] = reverse("api-order-document", args=[order.order_number, version.number])
    data["document_kind"] = version.kind
    event_publish(
        type=WebhookEventType.ORDER_DOCUMENT_READY,
        organization_ids=[order.supplier_id, order.placing_organization_id],
        data=data,
    )


def order_responded(*, order: RatedOrder, response_kind: str) -> None:
    """The supplier's answer goes to whoever placed the order (the supplier made it)."""
    data = _order_data(order)
    data["response"] = response_kind
    event_publish(type=WebhookEventType.ORDER_RESPONDED, organization_ids=[order.placing_organization_id], data=data)


def request_changed(*, rating_request: RatingRequest, action: str) -> None:
    event_publish(
        type=WebhookEventType.REQUEST_CHANGED,
        organization_ids=[rating_request.applicant_organization_id],
        data={
            "reference": rating_request.reference,
            "state": rating_request.state,
            "action": action,
            "url": reverse("api-request", args=[rating_request.reference]),
        },
    )
