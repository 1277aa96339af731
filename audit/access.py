"""Who may use the auditor workspace and its exports.

Audit knows nothing of the roles the project defines, so the app that owns them registers the
rule once at startup (`register_policy`, from its AppConfig.ready()); the rule is a plain
function of the user. Until one is registered, Django's model permission
`audit.view_auditevent` decides. Either way the workspace is read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, cast

if TYPE_CHECKING:  # the auth models load after the app registry; only their types are needed here
    from django.contrib.auth.models import AbstractUser, AnonymousUser

# Whoever acts: a signed-in user, an anonymous visitor, or None for the system itself.
Actor: TypeAlias = "AbstractUser | AnonymousUser | None"
Policy = Callable[["AbstractUser"], bool]


def has_view_permission(user: AbstractUser) -> bool:
    return bool(user.has_perm("audit.view_auditevent"))


_policy: list[Policy] = [has_view_permission]


def register_policy(policy: Policy) -> None:
    """Decide workspace access with `policy(user)` (called only for active, signed-in users)."""
    _policy[0] = policy


def may_audit(user: Actor) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return _policy[0](cast("AbstractUser", user))


def stored_user(user: Actor) -> Any:
    """`user` for a foreign key to settings.AUTH_USER_MODEL, whose class audit does not import."""
    return user
