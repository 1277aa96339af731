"""The daily digest: one e-mail a day carrying every notice its recipient chose to receive that way.

Run by the Celery beat task `ratings.tasks.send_notification_digests` (every
NOTIFICATION_DIGEST_INTERVAL_SECONDS). From NOTIFICATION_DIGEST_HOUR (agency time) on, each
recipient with held notices gets one digest notice for the day, written through the outbox (so
it is delivered once, retried and failed like any notice); the notices it carries are marked
digested. Its key names the agency day: a second run that day writes nothing, and notices held
after the digest went out wait for the next day's.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ratings.clock import agency_time_zone
from ratings.constants import NotificationKind, NotificationStatus
from ratings.models import Notification, User
from ratings.services.notifications.outbox import notify

logger = logging.getLogger("ratings.notifications")


def digest_key(recipient_id: int, day: dt.date) -> str:
    return f"digest:user{recipient_id}:{day.isoformat()}"


def _digest_one(recipient: User, day: dt.date) -> Notification | None:
    key = digest_key(recipient.pk, day)
    with transaction.atomic():
        if Notification.objects.filter(key=key).exists():
            return None
        held = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(recipient=recipient, status=NotificationStatus.HELD)
            .order_by("created_at", "pk")
        )
        if not held:
            return None
        ids = [row.pk for row in held]
        if not (recipient.is_active and recipient.email):
            # Nobody to e-mail: the notices stay readable in the app.
            Notification.objects.filter(pk__in=ids).update(status=NotificationStatus.IN_APP)
            return None
        digest = notify(
            recipient=recipient,
            kind=NotificationKind.DIGEST,
            subject=f"Daily digest: {len(held)} notice{'s' if len(held) != 1 else ''} ({day.isoformat()})",
            template="digest",
            context={"items": held, "day": day},
            key=key,
            link=reverse("notification-list"),
        )
        Notification.objects.filter(pk__in=ids).update(status=NotificationStatus.DIGESTED, digest=digest)
    logger.info("notification.digest id=%s notices=%s", digest.pk, len(ids))
    return digest


def notification_digests_send(*, now: dt.datetime | None = None) -> list[int]:
    """Write today's digest for every recipient with held notices (from the digest hour on)."""
    local = (now or timezone.now()).astimezone(agency_time_zone())
    if local.hour < settings.NOTIFICATION_DIGEST_HOUR:
        return []
    recipient_ids = (
        Notification.objects.filter(status=NotificationStatus.HELD).values_list("recipient_id", flat=True).distinct()
    )
    written = []
    for recipient in User.objects.filter(pk__in=list(recipient_ids)).order_by("pk"):
        digest = _digest_one(recipient, local.date())
        if digest is not None:
            written.append(digest.pk)
    return written
