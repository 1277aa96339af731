"""What the page header shows on every page: the signed-in user's unread notices."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from ratings.models import Notification


def _unread(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """`unread_notices`: counted only when a template shows it (templates call callables)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": partial(_unread, user.pk)}
