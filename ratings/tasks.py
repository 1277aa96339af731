"""Celery tasks: thin wrappers that take ids and call one service (see services.notifications)."""

from __future__ import annotations

import logging

from celery import shared_task

from ratings.services import notifications

logger = logging.getLogger("ratings.tasks")


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
