"""Refusal cases of the API's own write services (webhooks) and attachment removal, for
tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from ratings.models import WebhookDelivery, WebhookEndpoint
from ratings.services.requests import attachments
from ratings.services.webhooks import endpoints, events
from tests.factories import Cast

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VALUES = endpoints.EndpointInput(url="https://erp.filtra.example/dpa", event_types=["order.issued"])


def endpoint(cast: Cast) -> WebhookEndpoint:
    return endpoints.webhook_endpoint_create(actor=cast.supplier, organization=cast.supplier_org, values=VALUES)[0]


def delivery(cast: Cast) -> WebhookDelivery:
    hook = endpoint(cast)
    event = events.event_publish(type="order.issued", organization_ids=[cast.supplier_org.pk], data={})[0]
    return WebhookDelivery.objects.get_or_create(
        event=event, endpoint=hook, defaults={"next_attempt_at": timezone.now()}
    )[0]


def cases(case: Callable[..., Any], draft: Callable[[Cast], Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "attachment_remove": lambda cast: (
            (rr := draft(cast))
            and (
                att := attachments.attachment_add(
                    rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="quote.pdf"
                )
            )
            and case(
                lambda: attachments.attachment_remove(attachment=att, actor=cast.applicant2), "attachment.remove", rr
            )
        ),
        "webhook_endpoint_create": lambda cast: case(
            lambda: endpoints.webhook_endpoint_create(
                actor=cast.auditor, organization=cast.supplier_org, values=VALUES
            ),
            "webhook.create",
        ),
        "webhook_endpoint_update": lambda cast: (
            (hook := endpoint(cast))
            and case(
                lambda: endpoints.webhook_endpoint_update(endpoint=hook, actor=cast.applicant, values=VALUES),
                "webhook.update",
                hook,
            )
        ),
        "webhook_endpoint_rotate_secret": lambda cast: (
            (hook := endpoint(cast))
            and case(
                lambda: endpoints.webhook_endpoint_rotate_secret(endpoint=hook, actor=cast.supplier2),
                "webhook.rotate_secret",
                hook,
            )
        ),
        "webhook_endpoint_delete": lambda cast: (
            (hook := endpoint(cast))
            and case(
                lambda: endpoints.webhook_endpoint_delete(endpoint=hook, actor=cast.intake), "webhook.delete", hook
            )
        ),
        "webhook_delivery_replay": lambda cast: (
            (sent := delivery(cast))
            and case(
                lambda: endpoints.webhook_delivery_replay(delivery=sent, actor=cast.applicant), "webhook.replay", sent
            )
        ),
    }
