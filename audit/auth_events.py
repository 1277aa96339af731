"""Logins, logouts and failed logins are audit events (NIST AU-2).

While an account is locked out, attempts are counted, not recorded one by one: the lockout is
an event when it starts and again at the 10th, 100th, 1000th... refused attempt, each with the
count, so a flood of attempts cannot flood the trail."""

from __future__ import annotations

import math
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

from audit import services
from audit.constants import Outcome


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender: Any, request: Any, user: AbstractUser, **kwargs: Any) -> None:
    services.record(action="auth.login", actor=user, target=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender: Any, request: Any, user: AbstractUser | None, **kwargs: Any) -> None:
    if user is not None:
        services.record(action="auth.logout", actor=user, target=user)


def _refused_while_locked(request: Any) -> bool:
    """The attempt was refused by an existing lockout (no password was checked)."""
    if request is None or not getattr(request, "axes_locked_out", False):
        return False
    count = getattr(request, "_audit_lockout_count", None)
    return count is None or count > 1


def _worth_recording(count: int) -> bool:
    return count == 1 or (count >= 10 and math.log10(count).is_integer())


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if _refused_while_locked(request):
        return  # counted by the lockout event below
    # Django already masks the password in `credentials`; keep only the username tried.
    username = str(credentials.get("username", ""))[:150]
    services.record(
        action="auth.login_failed",
        actor=None,
        actor_label=f"anonymous (tried username {username!r})",
        outcome=Outcome.FAILURE,
        data={"username": username},
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _on_locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    # NIST AC-7: the lockout itself is an event, besides each failed attempt before it.
    name = str(username or "")[:150]
    key = f"audit-lockout:{name}:{kwargs.get('ip_address') or ''}"
    cache.add(key, 0, int(settings.AXES_COOLOFF_TIME.total_seconds()))
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if request is not None:
        request._audit_lockout_count = count
    if not _worth_recording(count):
        return
    services.record(
        action="auth.locked_out",
        actor=None,
        actor_label=f"anonymous (username {name!r} locked out)",
        outcome=Outcome.DENIED,
        data={"username": name, "attempts_while_locked": count - 1},
    )
