"""Who may use the auditor workspace and its exports."""

from __future__ import annotations

from typing import Any

from ratings.constants import Role
from ratings.permissions import has_role, is_hhs_staff


def may_audit(user: Any) -> bool:
    """The auditor role, or HHS staff granted `audit.view_auditevent`. Read-only either way."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return has_role(user, Role.AUDITOR) or (is_hhs_staff(user) and user.has_perm("audit.view_auditevent"))
