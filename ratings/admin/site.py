"""Who may enter the admin at all."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ratings import permissions


def staff_sees_admin(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and permissions.is_hhs_staff(user))


def admin_site_has_permission(request: HttpRequest) -> bool:
    """Only active HHS staff (or a superuser) enter the admin: a staff flag alone is not enough."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.is_superuser) or staff_sees_admin(user)
