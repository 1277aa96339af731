"""Notifications outbox: write a notice with its cause, deliver it exactly once after commit.

- `notify(...)` writes one Notification row in the caller's transaction (idempotent by key)
  and queues delivery with transaction.on_commit. Any cause (request workflow now, rated
  orders, reminders and escalations later) calls it with its own kind, template and key.
- `notification_deliver(...)` (run by the Celery task) claims the row with a conditional
  UPDATE pending -> sending, sends, then marks it sent. A second task for the same row finds
  nothing to claim, so a notice is never sent twice. Transient failures put the row back to
  pending with exponential backoff and full jitter; after the last attempt it is failed.
- `notifications_sweep(...)` (Celery beat) re-queues rows left pending (broker down, lost
  task) and fails rows stuck in "sending" past the stale timeout: their outcome is unknown, so
  they are never re-sent automatically (no duplicates) but shown in the admin for a resend.
- The recipient's preference (services.notifications.preferences) may hold an optional notice
  for the daily digest (services.notifications.digest) or keep it in the app only.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone

from audit import services as audit
from audit.constants import Outcome
from ratings import audit_actions, permissions
from ratings.constants import NotificationDelivery, NotificationStatus
from ratings.models import Notification, User
from ratings.services import queueing, retry, transition
from ratings.services.notifications import links, preferences, rendering
from ratings.services.orders import clocks as order_clocks

logger = logging.getLogger("ratings.notifications")

DELIVER_TASK = "ratings.tasks.deliver_notification"
# The recipient's choice decides the row's first status: sent now, held for the digest, or kept in the app.
HELD_AS: dict[str, str] = {
    NotificationDelivery.IMMEDIATE: NotificationStatus.PENDING,
    NotificationDelivery.DIGEST: NotificationStatus.HELD,
    NotificationDelivery.OFF: NotificationStatus.IN_APP,
}


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def notify(
    *,
    recipient: User,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    key: str,
    target: Model | None = None,
    link: str | None = None,
) -> Notification:
    """Write one notice in the caller's transaction and queue its delivery after commit.

    `template` names templates/notifications/<template>.txt and .html; both get `context`
    plus recipient, subject and link. The link is the recipient's own page of `target`
    (services.notifications.links) unless the cause gives one (an invitation's set-password
    address). The same key twice returns the existing row unchanged.
    """
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    delivery = preferences.delivery_for(recipient, kind)
    url = absolute_url(links.notice_link(recipient, target) if link is None else link)
    values = {**context, "recipient": recipient, "subject": subject, "link": url, "site_url": settings.SITE_URL}
    row = Notification(
        key=key,
        recipient=recipient,
        email=recipient.email or "",
        kind=kind,
        subject=subject[:250],
        body_text=render_to_string(f"notifications/{template}.txt", values),
        body_html=render_to_string(f"notifications/{template}.html", values),
        link=url,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        next_attempt_at=timezone.now(),
        status=HELD_AS[delivery],
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # A concurrent writer stored the same key first: that row is the notice.
        return Notification.objects.get(key=key)
    if row.status == NotificationStatus.PENDING:
        notification_id = row.pk
        transaction.on_commit(lambda: enqueue(notification_id))
    return row


def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    key_prefix: str,
    target: Model | None = None,
    link: str | None = None,
) -> list[Notification]:
    """One notice per distinct recipient; key = key_prefix + recipient id."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            notify(
                recipient=user,
                kind=kind,
                subject=subject,
                template=template,
                context=context,
                key=f"{key_prefix}:user{user.pk}",
                target=target,
                link=link,
            )
        )
    return rows


def enqueue(notification_id: int, *, countdown: float | None = None) -> bool:
    """Queue delivery. A broker failure is logged, never raised: the row stays pending and
    the sweep queues it again, so the cause (an approval, say) is never undone by it."""
    return queueing.enqueue(
        DELIVER_TASK, notification_id, log=logger, failed="notification.enqueue_failed id", countdown=countdown
    )


def retry_delay(attempt: int) -> float:
    """Exponential backoff with full jitter: uniform in (0, min(cap, base * 2**(attempt-1))]."""
    ceiling = float(
        min(settings.NOTIFICATION_RETRY_MAX_SECONDS, settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    )
    return max(ceiling * random.random(), ceiling / 10)


@dataclass(frozen=True)
class Delivery:
    outcome: str  # "sent", "skipped", "retry", "failed"
    retry_in: float | None = None


def _claim(notification_id: int, now: dt.datetime) -> Notification | None:
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if row is None:
            return None
        row.status = NotificationStatus.SENDING
        row.attempts += 1
        row.claimed_at = now
        row.save(update_fields=["status", "attempts", "claimed_at"])
    return row


def _send_mail(row: Notification, text: str, html: str) -> None:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email],
        headers={"X-DPA-Notification": row.key},
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def notification_deliver(*, notification_id: int) -> Delivery:
    """Send one notice if it is still pending; record the outcome on the row."""
    row = _claim(notification_id, timezone.now())
    if row is None:
        return Delivery("skipped")
    try:
        # A notice written by a batch job is rendered now, outside any transaction.
        text, html = rendering.bodies(row)
        if row.email:
            _send_mail(row, text, html)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        return _attempt_failed(row, error)
    # The mail is out: record it now. This step locks only the notice and then its order
    # version (the receipt clock), and is retried whole after a deadlock, so a sent notice is
    # never left "sending" by one; each of its writes is conditional, so a retry after a lost
    # commit acknowledgement changes nothing twice.
    kept = {"body_text": text, "body_html": html} if rendering.deferred(row) else {}
    retry.retried(lambda: _mark_sent(row, kept))
    logger.info("notification.sent id=%s kind=%s attempts=%s", row.pk, row.kind, row.attempts)
    return Delivery("sent")


def _mark_sent(row: Notification, kept: dict[str, str]) -> None:
    """`kept`: the bodies rendered at delivery, stored with the mark so the row shows what went out."""
    with transaction.atomic():
        now = timezone.now()
        marked = Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.SENT, sent_at=now, last_error="", **kept
        )
        if not marked:
            return
        # A rated-order notice starts the supplier's clock (receipt) in this same transaction.
        order_clocks.order_notice_delivered(notification=row, sent_at=now)
        audit.record(
            action=audit_actions.NOTIFICATION_SENT,
            actor=None,
            target=row,
            object_label=f"{row.kind} #{row.pk}",
            to_state=NotificationStatus.SENT,
            data={"kind": row.kind, "attempts": row.attempts, "recipient_id": row.recipient_id},
        )


def _attempt_failed(row: Notification, error: str) -> Delivery:
    now = timezone.now()
    with transaction.atomic():
        if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
                status=NotificationStatus.FAILED, last_error=error
            )
            audit.record(
                action=audit_actions.NOTIFICATION_FAILED,
                actor=None,
                target=row,
                object_label=f"{row.kind} #{row.pk}",
                outcome=Outcome.FAILURE,
                to_state=NotificationStatus.FAILED,
                reason=error,
                data={"kind": row.kind, "attempts": row.attempts, "recipient_id": row.recipient_id},
            )
            logger.error("notification.failed id=%s attempts=%s", row.pk, row.attempts)
            return Delivery("failed")
        delay = retry_delay(row.attempts)
        Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.PENDING,
            last_error=error,
            next_attempt_at=now + dt.timedelta(seconds=delay),
        )
    logger.warning("notification.retry id=%s attempts=%s in=%.2fs", row.pk, row.attempts, delay)
    return Delivery("retry", retry_in=delay)


@dataclass(frozen=True)
class SweepResult:
    requeued: list[int]
    abandoned: list[int]


def notifications_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Re-queue pending rows whose attempt is overdue by the grace period (set-based)."""
    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now - grace)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: settings.NOTIFICATION_SWEEP_BATCH]
        )
        # Bump the time so the next sweep does not queue them again while this task waits.
        Notification.objects.filter(pk__in=ids).update(next_attempt_at=now)
        stale = now - dt.timedelta(seconds=settings.NOTIFICATION_SENDING_STALE_SECONDS)
        abandoned = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(status=NotificationStatus.SENDING, claimed_at__lte=stale)
            .values_list("pk", flat=True)
        )
        if abandoned:
            Notification.objects.filter(pk__in=abandoned).update(
                status=NotificationStatus.FAILED,
                last_error="Delivery outcome unknown: the worker stopped while sending. Check and resend if needed.",
            )
            for pk in abandoned:
                audit.record(
                    action=audit_actions.NOTIFICATION_FAILED,
                    actor=None,
                    object_type=Notification._meta.label,
                    object_id=str(pk),
                    outcome=Outcome.FAILURE,
                    to_state=NotificationStatus.FAILED,
                    reason="outcome unknown after a stopped worker",
                )
    for pk in ids:
        transaction.on_commit(functools.partial(enqueue, pk))
    if ids or abandoned:
        logger.info("notification.sweep requeued=%s abandoned=%s", len(ids), len(abandoned))
    return SweepResult(requeued=ids, abandoned=abandoned)


MARK_READ = transition.Action(audit=audit_actions.NOTIFICATION_READ, permission=permissions.notice_recipient_refusal)
RESEND = transition.Action(
    audit=audit_actions.NOTIFICATION_RESEND,
    permission=permissions.notice_resend_refusal,
    states=[NotificationStatus.FAILED],
    state_message="{noun} {reference} is {state}; only failed notices are resent.",
)


def notification_resend(*, notification: Notification, actor: User) -> Notification:
    """An HHS staff member sends a failed notice again (admin action). Audited."""

    def apply(row: Notification) -> transition.Applied:
        previous_error = row.last_error
        row.status = NotificationStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = timezone.now()
        row.claimed_at = None
        row.email = row.recipient.email or row.email
        row_id = row.pk
        transaction.on_commit(lambda: enqueue(row_id))
        return transition.Applied(data={"previous_error": previous_error})

    return transition.perform(transition.NOTICE, RESEND, target=notification, actor=actor, apply=apply)


def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    """The recipient marks an in-app notice read; someone else trying is refused (audited)."""

    def apply(row: Notification) -> transition.Applied:
        if row.read_at is not None:
            return transition.Applied(unchanged=True)
        row.read_at = timezone.now()
        return transition.Applied()

    return transition.perform(transition.NOTICE, MARK_READ, target=notification, actor=actor, apply=apply)
