"""Logins, logouts and failed logins are audit events (NIST AU-2)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit import services
from audit.constants import Outcome


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.record(action="auth.login", actor=user, target=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record(action="auth.logout", actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
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
    services.record(
        action="auth.locked_out",
        actor=None,
        actor_label=f"anonymous (username {name!r} locked out)",
        outcome=Outcome.DENIED,
        data={"username": name},
    )
