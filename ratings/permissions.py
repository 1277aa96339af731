"""Who may do what, checked on the server for every action.

`refusal(action, rating_request, user)` returns None when allowed, else the reason in words a
person can act on. The FSM transitions' `permission=` use it, and services raise it as
PermissionRefused. Separation of duties (NIST AC-5) lives here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.constants import HHS_ROLES, LEVEL_RANK, OrganizationKind, Role


def active_memberships(user: Any) -> list[Any]:
    """The user's active memberships, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = list(
            user.memberships.filter(is_active=True, organization__is_active=True).select_related("organization")
        )
        user._active_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    if hasattr(user, "_active_memberships"):
        del user._active_memberships


def has_role(user: Any, role: str) -> bool:
    return any(m.role == role and _role_fits_org(m) for m in active_memberships(user))


def _role_fits_org(membership: Any) -> bool:
    # HHS roles only count on the agency; an "approving official" at a supplier means nothing.
    if membership.role in HHS_ROLES:
        return membership.organization.kind == OrganizationKind.AGENCY
    return True


def organization_ids(user: Any, *roles: str) -> set[int]:
    return {m.organization_id for m in active_memberships(user) if not roles or m.role in roles}


def is_hhs_staff(user: Any) -> bool:
    return any(m.role in HHS_ROLES and _role_fits_org(m) for m in active_memberships(user))


def approval_level(user: Any) -> str | None:
    """The highest level the user may approve, or None."""
    levels = [
        m.approval_level
        for m in active_memberships(user)
        if m.role == Role.APPROVING_OFFICIAL and _role_fits_org(m) and m.approval_level
    ]
    return max(levels, key=lambda level: LEVEL_RANK[level]) if levels else None


def approving_membership(user: Any, level: str) -> Any | None:
    """The approving-official membership under which the user signs a rating of `level`."""
    candidates = [
        m
        for m in active_memberships(user)
        if m.role == Role.APPROVING_OFFICIAL
        and _role_fits_org(m)
        and LEVEL_RANK.get(m.approval_level, 0) >= LEVEL_RANK[level]
    ]
    return min(candidates, key=lambda m: LEVEL_RANK[m.approval_level]) if candidates else None


# --- Refusal rules -------------------------------------------------------------------------

APPLICANT_ACTIONS = frozenset({"edit", "submit", "respond", "withdraw"})
HHS_ADMIN_REFUSAL = (
    "HHS administrators manage users and organizations and take no workflow action (separation of duties)."
)


def _applicant_refusal(rating_request: Any, user: Any) -> str | None:
    if rating_request.applicant_organization_id not in organization_ids(user, Role.APPLICANT):
        return "Only an applicant of the requesting organization can do this."
    return None


def _hhs_refusal(rating_request: Any, user: Any, role: str) -> str | None:
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if has_role(user, Role.HHS_ADMIN):
        return HHS_ADMIN_REFUSAL
    if not has_role(user, role):
        return f"Only an {Role(role).label} can do this."
    if rating_request.applicant_organization_id in organization_ids(user):
        return "You belong to the requesting organization, so you cannot act on its request as HHS staff (separation of duties)."
    return None


def refusal(action: str, rating_request: Any, user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if action in APPLICANT_ACTIONS:
        if has_role(user, Role.AUDITOR):
            return "Auditors have read-only access and take no action."
        if has_role(user, Role.HHS_ADMIN):
            return HHS_ADMIN_REFUSAL
        return _applicant_refusal(rating_request, user)
    if action == "accept_for_review":
        return _hhs_refusal(rating_request, user, Role.INTAKE_ANALYST)
    if action in {"request_information", "recommend"}:
        reason = _hhs_refusal(rating_request, user, Role.REVIEWER)
        if reason is None and rating_request.assigned_reviewer_id != user.pk:
            reason = "Only the reviewer assigned to this request can do this."
        return reason
    if action in {"return_for_rework", "approve", "deny"}:
        reason = _hhs_refusal(rating_request, user, Role.APPROVING_OFFICIAL)
        if reason:
            return reason
        if user.pk in {rating_request.recommended_by_id, rating_request.assigned_reviewer_id}:
            return "You reviewed this request, so you cannot decide it: an approving official never approves their own review (separation of duties)."
        if action == "approve":
            level = approval_level(user)
            if level is None or LEVEL_RANK[level] < LEVEL_RANK[rating_request.requested_level]:
                return (
                    f"A {rating_request.requested_level} rating needs an approving official with "
                    f"{rating_request.requested_level} authority; yours is {level or 'none'}. "
                    "DX ratings are approved only at Secretary level."
                )
        return None
    return f"Unknown action {action!r}."


def can(action: str) -> Callable[[Any, Any], bool]:
    """Adapter for django-fsm's `permission=`: a predicate on (instance, user)."""

    def check(instance: Any, user: Any) -> bool:
        return refusal(action, instance, user) is None

    check.__name__ = f"can_{action}"
    return check
