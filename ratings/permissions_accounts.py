"""Who manages accounts, credentials and the second factor (NIST AC-2, AC-5, IA-2). Part of
ratings.permissions, which re-exports every rule here; kept apart only to keep each module
readable."""

from __future__ import annotations

from typing import Any

from ratings.constants import INCOMPATIBLE_ROLES, Role
from ratings.roles import active_memberships, has_role, is_hhs_staff


def is_account_admin(user: Any) -> bool:
    """HHS administrators (and a superuser made by the command line) manage accounts."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, Role.HHS_ADMIN)


def account_admin_refusal(_target: Any, user: Any) -> str | None:
    if not is_account_admin(user):
        return "Only HHS administrators manage users, organizations and programs."
    return None


def closure_day_refusal(_target: Any, user: Any) -> str | None:
    """The working-day calendar is kept by HHS administrators, like users and organizations."""
    if not is_account_admin(user):
        return "Only HHS administrators declare or withdraw closure days."
    return None


def roles_refusal(target_user: Any, user: Any) -> str | None:
    """Roles are changed by an administrator, and never by the person whose roles they are (AC-5)."""
    reason = account_admin_refusal(target_user, user)
    if reason is None and getattr(target_user, "pk", None) == user.pk:
        return "Nobody changes their own roles or account status: ask another HHS administrator."
    return reason


def role_conflict(target_user: Any, role: str, *, ignoring: int | None = None) -> str | None:
    """A role `target_user` may not take on beside the active roles they hold (NIST AC-5)."""
    incompatible = INCOMPATIBLE_ROLES.get(role, frozenset())
    held = target_user.memberships.filter(is_active=True, role__in=incompatible).exclude(pk=ignoring)
    clash = held.values_list("role", flat=True).first()
    if clash is None:
        return None
    return (
        f"{Role(role).label} and {Role(clash).label} are never held by one person (separation of duties): "
        "deactivate the other role first."
    )


def grant_decision_refusal(grant: Any, user: Any) -> str | None:
    """Two-person rule: a second administrator, neither the requester nor the grantee, decides."""
    reason = account_admin_refusal(grant, user)
    if reason:
        return reason
    if user.pk == grant.requested_by_id:
        return "You asked for this grant; a second HHS administrator must confirm it (two-person rule)."
    if user.pk == grant.user_id:
        return "Nobody confirms approval authority for themselves."
    return None


def token_revoke_refusal(token: Any, user: Any) -> str | None:
    """The owner, or an HHS administrator (who can list and revoke, never read or create)."""
    if token.user_id == getattr(user, "pk", None) or is_account_admin(user):
        return None
    return "Only the token's owner or an HHS administrator can revoke it."


def token_issue_refusal(_target: Any, user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "Sign in to create a token."
    if must_use_second_factor(user) and not getattr(user, "is_verified", lambda: False)():
        return "Sign in with your second factor before creating a token."
    return None


def must_use_second_factor(user: Any) -> bool:
    """HHS staff, auditors, superusers, and members of organizations that require it (AAL2)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or is_hhs_staff(user):
        return True
    return any(m.organization.require_mfa for m in active_memberships(user))


def second_factor_reset_refusal(target_user: Any, user: Any) -> str | None:
    return roles_refusal(target_user, user)
