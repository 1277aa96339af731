"""What a user holds: active memberships, roles, organizations, approval authority.

Facts only, cached on the user object for one request; the rules built on them, with the words
of a refusal, are in ratings/permissions.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from dpa_portal.prepared import Prepared
from ratings.constants import HHS_ROLES, LEVEL_RANK, OrganizationKind, Role


def memberships_where(**lookup: Any) -> QuerySet[Any]:
    """Active memberships in active organizations, with their organization, of the users `lookup`
    names: what `active_memberships` holds."""
    membership: Any = get_user_model()._meta.get_field("memberships").related_model
    return membership.objects.filter(**lookup, is_active=True, organization__is_active=True).select_related(  # type: ignore[no-any-return]
        "organization"
    )


def _memberships_of(user_id: int) -> QuerySet[Any]:
    return memberships_where(user_id=user_id)


# Every transition reads them (its permission, then its audit event's roles): compiled once.
_ACTIVE_MEMBERSHIPS = Prepared(_memberships_of)


def active_memberships(user: Any) -> list[Any]:
    """The user's active memberships, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = _ACTIVE_MEMBERSHIPS.all(user.pk)
        for membership in cached:
            membership.user = user
        user._active_memberships = cached
    return cached


def remember_memberships(user: Any, memberships: list[Any]) -> None:
    """Keep memberships read for many users at once (a batch job, or with an API token) as
    `user`'s, unless known."""
    if getattr(user, "_active_memberships", None) is None:
        for membership in memberships:
            membership.user = user
        user._active_memberships = memberships


def forget_memberships(user: Any) -> None:
    for cached in ("_active_memberships", "_conflicted_organization_ids"):
        if hasattr(user, cached):
            delattr(user, cached)


def conflicted_organization_ids(user: Any) -> set[int]:
    """Organizations the user declared a conflict of interest with (active declarations)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_conflicted_organization_ids", None)
    if cached is None:
        cached = set(
            user.conflicts_of_interest.filter(withdrawn_at__isnull=True).values_list("organization_id", flat=True)
        )
        user._conflicted_organization_ids = cached
    return cached


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


def sees_business_data(user: Any) -> bool:
    """HHS workflow staff and auditors read every submitted request and order; an HHS
    administrator manages accounts only and reads none of it (AC-5, least privilege)."""
    return any(m.role in HHS_ROLES and m.role != Role.HHS_ADMIN and _role_fits_org(m) for m in active_memberships(user))


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
