"""Celery tasks: thin wrappers that take ids and call one service (design.md habit 6)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from audit import context
from ratings.services import idempotency
from ratings.services.accounts import tokens
from ratings.services.authorizations import documents as authorization_documents
from ratings.services.notifications import digest as notification_digests
from ratings.services.notifications import outbox as notifications
from ratings.services.orders import documents as order_documents
from ratings.services.orders import reminders as order_reminders
from ratings.services.requests import overdue as review_overdue
from ratings.services.webhooks import delivery as webhook_delivery
from ratings.services.webhooks import endpoints as webhook_endpoints

logger = logging.getLogger("ratings.tasks")

GENERATION_MAX_RETRIES = 4


@shared_task(
    name="ratings.tasks.generate_order_document", bind=True, max_retries=GENERATION_MAX_RETRIES, acks_late=True
)
def generate_order_document(self: Any, version_id: int) -> int:
    """Render, sign and store a rated-order document. Re-running for a version that has its
    document creates nothing new; a failure is recorded on the version and retried with
    exponential backoff (30 s, 60 s, 120 s, 240 s); after the last try it stays failed until
    someone retries it from the admin."""
    try:
        return order_documents.order_document_generate(version_id=version_id).pk
    except Exception as error:
        order_documents.order_document_failed(version_id=version_id, error=f"{type(error).__name__}: {error}")
        if self.request.is_eager or self.request.retries >= GENERATION_MAX_RETRIES:
            return 0
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task(
    name="ratings.tasks.generate_authorization_document", bind=True, max_retries=GENERATION_MAX_RETRIES, acks_late=True
)
def generate_authorization_document(self: Any, authorization_id: int) -> int:
    """Render, seal and store a rating authorization's document; retried like an order's."""
    try:
        return authorization_documents.authorization_document_generate(authorization_id=authorization_id).pk
    except Exception as error:
        authorization_documents.authorization_document_failed(
            authorization_id=authorization_id, error=f"{type(error).__name__}: {error}"
        )
        if self.request.is_eager or self.request.retries >= GENERATION_MAX_RETRIES:
            return 0
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task(name="ratings.tasks.sweep_order_documents", ignore_result=True)
def sweep_order_documents() -> int:
    """Periodic (beat): queue again documents (orders and authorizations) whose generation was
    never queued (broker down)."""
    return len(order_documents.order_documents_sweep()) + len(authorization_documents.authorization_documents_sweep())


@shared_task(name="ratings.tasks.deliver_notification", ignore_result=True)
def deliver_notification(notification_id: int) -> str:
    """Send one notice if still pending; schedule the next attempt after a transient failure.

    The row holds the retry state (attempts, next_attempt_at), so a retry is simply the same
    task queued again with a countdown; if that publish fails too, the sweep picks the row up.
    """
    result = notifications.notification_deliver(notification_id=notification_id)
    if result.outcome == "retry":
        notifications.enqueue(notification_id, countdown=result.retry_in)
    return result.outcome


@shared_task(name="ratings.tasks.sweep_notifications", ignore_result=True)
def sweep_notifications() -> int:
    """Periodic (beat): re-queue notices left pending; give up on ones stuck while sending."""
    result = notifications.notifications_sweep()
    return len(result.requeued)


@shared_task(name="ratings.tasks.send_order_reminders", ignore_result=True, acks_late=True)
def send_order_reminders() -> int:
    """Periodic (beat): remind suppliers before their answer is due; escalate overdue ones."""
    run = order_reminders.order_reminders_send()
    return sum(len(ids) for ids in run.reminders.values()) + len(run.escalated)


@shared_task(name="ratings.tasks.send_notification_digests", ignore_result=True, acks_late=True)
def send_notification_digests() -> int:
    """Periodic (beat): from the digest hour on, one digest a day to each recipient who chose it."""
    return len(notification_digests.notification_digests_send())


@shared_task(name="ratings.tasks.notify_overdue_reviews", ignore_result=True, acks_late=True)
def notify_overdue_reviews() -> int:
    """Periodic (beat): tell reviewers (or intake) of HHS reviews past their target, once each."""
    return len(review_overdue.review_overdue_notify())


@shared_task(name="ratings.tasks.expire_api_tokens", ignore_result=True)
def expire_api_tokens() -> int:
    """Periodic (beat): remove API tokens past their expiry, auditing each removal."""
    with context.use(context.for_task()):
        return tokens.api_tokens_expire()


@shared_task(name="ratings.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one webhook delivery; a failed attempt is queued again after its backoff
    (the row holds the retry state, so a lost task is picked up by the sweep)."""
    result = webhook_delivery.webhook_deliver(delivery_id=delivery_id)
    if result.status == "retry":
        webhook_endpoints.enqueue(delivery_id, countdown=result.retry_in)
    return result.status


@shared_task(name="ratings.tasks.sweep_webhooks", ignore_result=True)
def sweep_webhooks() -> int:
    """Periodic (beat): queue again webhook deliveries left pending."""
    return len(webhook_delivery.webhooks_sweep())


@shared_task(name="ratings.tasks.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Periodic (beat): forget Idempotency-Keys older than IDEMPOTENCY_KEY_HOURS."""
    return idempotency.idempotency_purge()
