"""Deliver webhook events (Standard Webhooks): claim, sign, POST, log the attempt, retry with
backoff, disable an endpoint that keeps failing and tell its organization by e-mail.

- A delivery is claimed with pending -> sending under a row lock; a second task finds nothing
  to claim, so an event is never sent twice to an endpoint (a person may replay it).
- Headers: webhook-id (the event's msg_ id, the same on every attempt), webhook-timestamp,
  webhook-signature ("v1,<HMAC-SHA256>", plus the previous secret's during a rotation).
- Any 2xx is delivered; anything else (or no answer within WEBHOOK_TIMEOUT_SECONDS) is a failed
  attempt. Redirects are not followed (the address was checked, the target of a redirect was not).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from audit import services as audit
from audit.constants import Outcome
from ratings import audit_actions
from ratings.constants import NotificationKind, WebhookDeliveryStatus
from ratings.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ratings.services.notifications.outbox import notify
from ratings.services.webhooks.endpoints import blocked_address, enqueue

logger = logging.getLogger("ratings.webhooks")
USER_AGENT = "DPA-Portal-Webhooks/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class DeliveryResult:
    status: str  # "delivered", "retry", "failed", "skipped"
    retry_in: float | None = None


def body_of(delivery: WebhookDelivery) -> str:
    return json.dumps(delivery.event.payload, cls=DjangoJSONEncoder, separators=(",", ":"))


def signed_headers(endpoint: WebhookEndpoint, msg_id: str, at: dt.datetime, body: str) -> dict[str, str]:
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > at:
        secrets.append(endpoint.previous_secret)
    signatures = " ".join(Webhook(secret).sign(msg_id, at, body) for secret in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def _check_resolved(url: str) -> None:
    """Refuse to connect to a private address, whatever the name resolves to today (SSRF)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    parts = urlsplit(url)
    infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443, proto=socket.IPPROTO_TCP)
    if any(blocked_address(str(info[4][0])) for info in infos):
        raise ValueError("the address resolves to a private or loopback address")


def post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST and return the status code; raises on no answer."""
    _check_resolved(url)
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def retry_delay(attempt: int) -> float:
    ceiling = float(min(settings.WEBHOOK_RETRY_MAX_SECONDS, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)))
    return max(ceiling * random.random(), ceiling / 10)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .select_related("event", "endpoint")
            .filter(pk=delivery_id, status=WebhookDeliveryStatus.PENDING)
            .first()
        )
        if row is None:
            return None
        if not row.endpoint.is_active:
            row.status, row.last_error = WebhookDeliveryStatus.FAILED, "The endpoint is disabled."
            row.save(update_fields=["status", "last_error", "updated_at"])
            return None
        row.status, row.claimed_at = WebhookDeliveryStatus.SENDING, timezone.now()
        row.attempts += 1
        row.save(update_fields=["status", "claimed_at", "attempts", "updated_at"])
    return row


def webhook_deliver(*, delivery_id: int) -> DeliveryResult:
    """One attempt at one delivery (the Celery task calls this and re-queues a retry)."""
    row = _claim(delivery_id)
    if row is None:
        return DeliveryResult("skipped")
    at = timezone.now()
    body = body_of(row)
    started = time.monotonic()
    code: int | None = None
    error = ""
    try:
        code = post(row.endpoint.url, body, signed_headers(row.endpoint, row.event.event_id, at, body))
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    elapsed = int((time.monotonic() - started) * 1000)
    return _record(row, at=at, code=code, error=error, elapsed=elapsed)


def _record(row: WebhookDelivery, *, at: dt.datetime, code: int | None, error: str, elapsed: int) -> DeliveryResult:
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=row, attempted_at=at, status_code=code, error=error, duration_ms=elapsed)
        endpoint = WebhookEndpoint.objects.select_for_update(of=("self",), no_key=True).get(pk=row.endpoint_id)
        if not error:
            WebhookDelivery.objects.filter(pk=row.pk).update(
                status=WebhookDeliveryStatus.DELIVERED, delivered_at=at, last_status_code=code, last_error=""
            )
            if endpoint.consecutive_failures:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            logger.info("webhook.delivered id=%s attempts=%s", row.pk, row.attempts)
            return DeliveryResult("delivered")
        endpoint.consecutive_failures += 1
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=endpoint.consecutive_failures)
        if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
            _disable(endpoint, error)
        last = row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not endpoint.is_active
        delay = retry_delay(row.attempts)
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=WebhookDeliveryStatus.FAILED if last else WebhookDeliveryStatus.PENDING,
            last_status_code=code,
            last_error=error,
            next_attempt_at=at + dt.timedelta(seconds=delay),
        )
    logger.warning("webhook.attempt_failed id=%s attempts=%s error=%s", row.pk, row.attempts, error)
    return DeliveryResult("failed") if last else DeliveryResult("retry", retry_in=delay)


def _disable(endpoint: WebhookEndpoint, error: str) -> None:
    """Stop sending to an endpoint that keeps failing, audit it and tell whoever registered it."""
    now = timezone.now()
    endpoint.is_active = False
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row; last: {error}"[:300]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason=endpoint.disabled_reason, version=endpoint.version + 1
    )
    audit.record(
        action=audit_actions.WEBHOOK_DISABLE,
        actor=None,
        target=endpoint,
        organization_id=endpoint.organization_id,
        outcome=Outcome.FAILURE,
        reason=endpoint.disabled_reason,
        data={"url": endpoint.url, "consecutive_failures": endpoint.consecutive_failures},
    )
    notify(
        recipient=endpoint.created_by,
        kind=NotificationKind.WEBHOOK_DISABLED,
        subject=f"Webhook endpoint disabled: {endpoint.url}"[:250],
        template="webhook_disabled",
        context={"endpoint": endpoint, "error": error, "disabled_at": now},
        key=f"webhook:{endpoint.pk}:v{endpoint.version + 1}:disabled",
        target=endpoint,
    )
    logger.error("webhook.endpoint_disabled id=%s", endpoint.pk)


def webhooks_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Periodic (beat): queue again deliveries left pending past their time (broker down, lost
    task). Rows stuck "sending" past the stale timeout are failed, never re-sent on their own."""
    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now - grace)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: settings.NOTIFICATION_SWEEP_BATCH]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
        stale = now - dt.timedelta(seconds=settings.NOTIFICATION_SENDING_STALE_SECONDS)
        WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.SENDING, claimed_at__lte=stale).update(
            status=WebhookDeliveryStatus.FAILED,
            last_error="Outcome unknown: the worker stopped while sending. Replay it if needed.",
        )
    for pk in ids:
        transaction.on_commit(functools.partial(enqueue, pk))
    return ids
