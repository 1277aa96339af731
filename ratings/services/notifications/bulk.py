"""Many notices at once, for batch jobs (reminders, escalations): a few statements per run
instead of several per notice. Same rows, keys, preferences and delivery as `outbox.notify`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.template.loader import get_template
from django.utils import timezone

from ratings.constants import NOTICE_CATEGORY, NotificationDelivery, NotificationStatus
from ratings.models import Membership, Notification, NotificationPreference, User
from ratings.roles import remember_memberships
from ratings.services.notifications import links
from ratings.services.notifications.outbox import HELD_AS, absolute_url, enqueue

CHUNK = 5000  # keys per IN list (PostgreSQL takes at most 65,535 parameters)


@dataclass(frozen=True)
class Notice:
    """One notice to write: as `outbox.notify` takes it."""

    recipient: User
    kind: str
    subject: str
    template: str
    key: str
    target: Model | None = None
    link: str | None = None  # None: the recipient's own page of `target` (notifications.links)
    context: dict[str, Any] = field(default_factory=dict)


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        found.update(Notification.objects.filter(key__in=keys[start : start + CHUNK]).values_list("key", flat=True))
    return found


def _deliveries(notices: list[Notice]) -> dict[tuple[int, str], str]:
    """(user id, category) -> the user's choice, for the optional categories among `notices`."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for notice in notices:
        category = NOTICE_CATEGORY.get(notice.kind)  # type: ignore[call-overload]
        if category is not None:
            wanted[category].add(notice.recipient.pk)
    chosen: dict[tuple[int, str], str] = {}
    for category, users in wanted.items():
        rows = NotificationPreference.objects.filter(category=category, user_id__in=users)
        chosen.update({(user_id, category): delivery for user_id, delivery in rows.values_list("user_id", "delivery")})
    return chosen


def _load_memberships(users: Iterable[User]) -> None:
    """Each recipient's link depends on its roles: read them for every recipient in one query
    and keep them where permissions look for them."""
    by_user: dict[int, list[Membership]] = defaultdict(list)
    users = list(users)
    rows = Membership.objects.filter(
        user_id__in={user.pk for user in users}, is_active=True, organization__is_active=True
    ).select_related("organization")
    for membership in rows:
        by_user[membership.user_id].append(membership)
    for user in users:
        remember_memberships(user, by_user[user.pk])


def notify_bulk(notices: Iterable[Notice]) -> list[Notification]:
    """Write every notice whose key is new (and whose recipient is active), in the caller's
    transaction, with one INSERT per thousand rows; queue the immediate ones after commit."""
    unique: dict[str, Notice] = {}
    for notice in notices:
        if notice.recipient.is_active:
            unique.setdefault(notice.key, notice)
    existing = _existing_keys(list(unique))
    todo = [notice for key, notice in unique.items() if key not in existing]
    if not todo:
        return []
    chosen = _deliveries(todo)
    _load_memberships(notice.recipient for notice in todo if notice.link is None)
    now = timezone.now()
    templates: dict[str, tuple[Any, Any]] = {}
    rows = []
    for notice in todo:
        if notice.template not in templates:
            templates[notice.template] = (
                get_template(f"notifications/{notice.template}.txt"),
                get_template(f"notifications/{notice.template}.html"),
            )
        text, html = templates[notice.template]
        url = absolute_url(links.notice_link(notice.recipient, notice.target) if notice.link is None else notice.link)
        values = {
            **notice.context,
            "recipient": notice.recipient,
            "subject": notice.subject,
            "link": url,
            "site_url": settings.SITE_URL,
        }
        category = NOTICE_CATEGORY.get(notice.kind)  # type: ignore[call-overload]
        delivery = chosen.get((notice.recipient.pk, category), NotificationDelivery.IMMEDIATE)
        rows.append(
            Notification(
                key=notice.key,
                recipient=notice.recipient,
                email=notice.recipient.email or "",
                kind=notice.kind,
                subject=notice.subject[:250],
                body_text=text.render(values),
                body_html=html.render(values),
                link=url,
                object_type=notice.target._meta.label if notice.target is not None else "",
                object_id=str(notice.target.pk) if notice.target is not None else "",
                next_attempt_at=now,
                status=HELD_AS[delivery],
            )
        )
    # Batch jobs lock their causes (skip locked) and mark them in the same transaction, so two
    # runs never write the same key; if one ever did, the unique key rolls the later run back.
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    pending = [row.pk for row in created if row.status == NotificationStatus.PENDING]
    transaction.on_commit(lambda: [enqueue(pk) for pk in pending])
    return created
