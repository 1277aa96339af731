"""What each role may see in the admin (Django model permissions, through one group per role),
and the staff flag, both derived from a person's active memberships.

Nobody sets groups, model permissions or `is_staff` through the web: the membership services
call `access_sync` after every change, so admin access always follows the audited roles.
Workflow rights are not model permissions: ratings.permissions decides them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from ratings import permissions
from ratings.constants import Role
from ratings.models import User

STAFF_VIEW = [
    "ratings.view_ratingrequest",
    "ratings.view_requestlineitem",
    "ratings.view_attachment",
    "ratings.view_informationrequest",
    "ratings.view_organization",
    "ratings.view_program",
]
GROUP_PERMISSIONS: dict[str, list[str]] = {
    "HHS workflow staff": STAFF_VIEW,
    "HHS administrators": [
        "ratings.view_user",
        "ratings.add_user",
        "ratings.change_user",
        "ratings.view_membership",
        "ratings.add_membership",
        "ratings.change_membership",
        "ratings.view_organization",
        "ratings.add_organization",
        "ratings.change_organization",
        "ratings.view_program",
        "ratings.add_program",
        "ratings.change_program",
        # Administrators list tokens (prefix, owner, last use) and revoke them; never read them.
        "ratings.view_apitoken",
        "ratings.delete_apitoken",
        "ratings.view_authoritygrant",
        "ratings.change_authoritygrant",
        # Failed notices, to resend them.
        "ratings.view_notification",
    ],
    "Auditors": [*STAFF_VIEW, "audit.view_auditevent", "audit.export_auditevent"],
}
ROLE_GROUP: dict[str, str] = {
    Role.INTAKE_ANALYST: "HHS workflow staff",
    Role.REVIEWER: "HHS workflow staff",
    Role.APPROVING_OFFICIAL: "HHS workflow staff",
    Role.HHS_ADMIN: "HHS administrators",
    Role.AUDITOR: "Auditors",
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def groups_ensure() -> dict[str, Group]:
    """The role groups with exactly their permissions (idempotent; migrations and demo call it)."""
    groups = {}
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(p) for p in perms])
        groups[name] = group
    return groups


def access_sync(user: User) -> dict[str, list[str] | bool]:
    """Set the user's groups and staff flag from their active memberships; returns the changes."""
    permissions.forget_memberships(user)
    wanted = {ROLE_GROUP[m.role] for m in permissions.active_memberships(user) if m.role in ROLE_GROUP}
    if permissions.is_hhs_staff(user) is False:
        wanted = set()
    groups = groups_ensure() if wanted else {}
    current = set(user.groups.values_list("name", flat=True))
    changes: dict[str, list[str] | bool] = {}
    managed = set(GROUP_PERMISSIONS)
    if (current & managed) != wanted:
        user.groups.remove(*Group.objects.filter(name__in=(current & managed) - wanted))
        user.groups.add(*[groups[name] for name in wanted - current])
        changes["groups"] = sorted(wanted)
    staff = bool(wanted) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
        changes["is_staff"] = staff
    permissions.forget_memberships(user)
    return changes
