"""Webhook endpoints an organization registers: where its events are POSTed, which ones, and
the whsec_ secret they are signed with (Standard Webhooks). Every change is audited.

Decisions:
- The secret is shown once, when made or rotated (like an API token); it is stored because
  signing needs it. After a rotation the previous secret still signs, as a second signature,
  for WEBHOOK_SECRET_OVERLAP_HOURS, so a receiver can switch without losing events.
- URLs: https, and no loopback, private, link-local or reserved address (SSRF), unless
  WEBHOOK_ALLOW_PRIVATE_URLS (development). Names are resolved again at each delivery.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import WebhookDeliveryStatus, WebhookEventType
from ratings.models import Organization, User, WebhookDelivery, WebhookEndpoint
from ratings.services import queueing, transition

logger = logging.getLogger("ratings.webhooks")
DELIVER_TASK = "ratings.tasks.deliver_webhook"
ENDPOINTS_PER_ORGANIZATION = 10
BLOCKED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")

ENDPOINT: transition.Kind[WebhookEndpoint] = transition.Kind(
    model=WebhookEndpoint,
    noun="Webhook endpoint",
    reference=lambda endpoint: f"webhook #{endpoint.pk}",
    organization_id=lambda endpoint: endpoint.organization_id,
    version_field="version",
    bump_version=True,
    audited_fields=("url", "description", "event_types", "is_active"),
    stale_message="This webhook endpoint was changed by someone else; read it again and retry.",
    filed_under=lambda endpoint: "",
)
UPDATE = transition.Action(audit=audit_actions.WEBHOOK_UPDATE, permission=permissions.webhook_endpoint_refusal)
ROTATE = transition.Action(audit=audit_actions.WEBHOOK_ROTATE_SECRET, permission=permissions.webhook_endpoint_refusal)
DELETE = transition.Action(audit=audit_actions.WEBHOOK_DELETE, permission=permissions.webhook_endpoint_refusal)
REPLAY = transition.Action(audit=audit_actions.WEBHOOK_REPLAY, permission=permissions.webhook_endpoint_refusal)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def blocked_address(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified: not the internet."""
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def check_url(url: str) -> str:
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed("Give the full address of your endpoint, e.g. https://erp.example.com/dpa.", field="url")
    if len(text) > 500:
        raise ValidationFailed("The address is longer than 500 characters.", field="url")
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return text
    if parts.scheme != "https":
        raise ValidationFailed("Webhook endpoints must use https.", field="url")
    host = parts.hostname.lower().rstrip(".")
    try:
        literal = blocked_address(host)
    except ValueError:  # a name, resolved at each delivery
        literal = host in BLOCKED_NAMES or host.endswith((".localhost", ".local", ".internal"))
    if literal:
        raise ValidationFailed(
            "Webhook endpoints must be on the internet, not a private or loopback address.", field="url"
        )
    return text


def check_event_types(event_types: Sequence[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = [name for name in chosen if name not in WebhookEventType.values]
    if unknown or not chosen:
        raise ValidationFailed(
            "Choose one or more event types: " + ", ".join(WebhookEventType.values) + ".", field="event_types"
        )
    return chosen


@dataclass(frozen=True)
class EndpointInput:
    url: str
    event_types: Sequence[str]
    description: str = ""


def webhook_endpoint_create(
    *, actor: User, organization: Organization | None, values: EndpointInput
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its secret (shown once)."""

    def apply() -> tuple[WebhookEndpoint, str]:
        assert organization is not None  # the rule refused otherwise
        if WebhookEndpoint.objects.filter(organization=organization).count() >= ENDPOINTS_PER_ORGANIZATION:
            raise ValidationFailed(f"An organization has at most {ENDPOINTS_PER_ORGANIZATION} webhook endpoints.")
        secret = new_secret()
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=check_url(values.url),
            event_types=check_event_types(values.event_types),
            description=(values.description or "").strip()[:200],
            secret=secret,
            created_by=actor,
        )
        audit.record(
            action=audit_actions.WEBHOOK_CREATE,
            actor=actor,
            target=endpoint,
            organization_id=organization.pk,
            data={"url": endpoint.url, "event_types": endpoint.event_types},
        )
        return endpoint, secret

    return transition.perform_create(
        audit_actions.WEBHOOK_CREATE,
        actor=actor,
        refusal=permissions.webhook_refusal(organization, actor),
        organization_id=organization.pk if organization else None,
        apply=apply,
    )


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: User,
    values: EndpointInput,
    is_active: bool = True,
    expected_version: int | None = None,
) -> WebhookEndpoint:
    """Change the address, events or description, or enable/disable the endpoint. Enabling it
    again clears its failure count (its failed deliveries can then be replayed)."""

    def apply(locked: WebhookEndpoint) -> transition.Applied:
        locked.url = check_url(values.url)
        locked.event_types = check_event_types(values.event_types)
        locked.description = (values.description or "").strip()[:200]
        if is_active and not locked.is_active:
            locked.consecutive_failures, locked.disabled_reason = 0, ""
        locked.is_active = is_active
        return transition.Applied()

    return transition.perform(
        ENDPOINT, UPDATE, target=endpoint, actor=actor, apply=apply, expected_version=expected_version
    )


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: User, expected_version: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new secret signs from now on; the old one also signs until the overlap ends."""
    made: list[str] = []

    def apply(locked: WebhookEndpoint) -> transition.Applied:
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + dt.timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
        locked.secret = new_secret()
        made.append(locked.secret)
        return transition.Applied(data={"previous_secret_expires_at": locked.previous_secret_expires_at.isoformat()})

    row = transition.perform(
        ENDPOINT, ROTATE, target=endpoint, actor=actor, apply=apply, expected_version=expected_version
    )
    return row, made[0]


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User, expected_version: int | None = None) -> None:
    """Remove the endpoint and its delivery log (the audit trail keeps what happened)."""

    def apply(locked: WebhookEndpoint) -> transition.Applied:
        pk = locked.pk
        transaction.on_commit(lambda: WebhookEndpoint.objects.filter(pk=pk).delete())
        locked.is_active = False
        return transition.Applied(data={"url": locked.url})

    transition.perform(ENDPOINT, DELETE, target=endpoint, actor=actor, apply=apply, expected_version=expected_version)


def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send one event again to one endpoint, on request (same webhook-id: receivers that already
    have it can drop it). Deliveries are otherwise never sent twice."""

    def apply(locked: WebhookEndpoint) -> transition.Applied:
        if not locked.is_active:
            raise ValidationFailed("Enable the endpoint before replaying to it.")
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
        )
        delivery_id = delivery.pk
        transaction.on_commit(lambda: enqueue(delivery_id))
        return transition.Applied(data={"event_id": delivery.event.event_id, "previous_status": delivery.status})

    transition.perform(ENDPOINT, REPLAY, target=delivery.endpoint, actor=actor, apply=apply)
    return WebhookDelivery.objects.get(pk=delivery.pk)


def enqueue(delivery_id: int, *, countdown: float | None = None) -> bool:
    """Queue one delivery by task name (tasks import services, not the other way round). A
    broker failure leaves the row pending: the sweep queues it again."""
    return queueing.enqueue(
        DELIVER_TASK, delivery_id, log=logger, failed="webhook.enqueue_failed id", countdown=countdown
    )
