"""The recipient's own in-app notices: marking all of them read at once (one audited event)."""

from __future__ import annotations

from django.utils import timezone

from ratings import audit_actions, permissions
from ratings.models import Notification, User
from ratings.services import transition

MARK_ALL_READ = transition.Action(audit=audit_actions.NOTIFICATION_READ_ALL, permission=permissions.own_account_refusal)


def notifications_mark_all_read(*, user: User, actor: User) -> User:
    """Every unread notice of `user` is marked read; only its holder may. Nothing unread: no event."""

    def apply(locked: User) -> transition.Applied:
        marked = Notification.objects.filter(recipient=locked, read_at__isnull=True).update(read_at=timezone.now())
        if not marked:
            return transition.Applied(unchanged=True)
        return transition.Applied(data={"marked_read": marked})

    return transition.perform(transition.ACCOUNT, MARK_ALL_READ, target=user, actor=actor, apply=apply)
