"""Authorized signers of rated orders (45 CFR 101.32(a)(3)): the people an organization has
authorized to sign rated orders for it, each with the delegation recorded (its text and date).

Designated by an HHS administrator or by the organization's own administrator, never by the
person themselves (ratings.permissions_placing); taken away like any role (membership_change).
"""

from __future__ import annotations

import datetime as dt

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions_placing
from ratings.clock import agency_today
from ratings.constants import Role
from ratings.models import Membership, Organization, User
from ratings.services import transition
from ratings.services.accounts import roles

DELEGATION_MAX_LENGTH = 300


def authorized_signer_designate(
    *, user: User, actor: User, organization: Organization, delegation: str, delegated_on: dt.date | None
) -> Membership:
    """Make `user`, already a member of `organization`, one of its authorized signers."""

    def apply() -> Membership:
        text = (delegation or "").strip()
        if not text:
            raise ValidationFailed(
                "Record the delegation: who authorized this person to sign rated orders for the organization, and how.",
                field="delegation",
            )
        if len(text) > DELEGATION_MAX_LENGTH:
            raise ValidationFailed(
                f"Keep the delegation within {DELEGATION_MAX_LENGTH} characters; it is printed with every signature.",
                field="delegation",
            )
        if delegated_on is None or delegated_on > agency_today():
            raise ValidationFailed("Give the date of the delegation (today or earlier).", field="delegated_on")
        memberships = Membership.objects.filter(user=user, organization=organization)
        if not memberships.filter(is_active=True).exclude(role=Role.AUTHORIZED_SIGNER).exists():
            raise ValidationFailed(
                "Only a member of the organization can be designated its authorized signer.", field="user"
            )
        existing = memberships.filter(role=Role.AUTHORIZED_SIGNER).first()
        if existing is not None and existing.is_active:
            raise ValidationFailed("This person is already an authorized signer here.", field="user")
        before = None
        if existing is not None:
            before = {"delegation": existing.delegation, "delegated_on": str(existing.delegated_on), "is_active": False}
            existing.delegation, existing.delegated_on, existing.is_active = text, delegated_on, True
            existing.save(update_fields=["delegation", "delegated_on", "is_active"])
            membership = existing
        else:
            membership = Membership.objects.create(
                user=user,
                organization=organization,
                role=Role.AUTHORIZED_SIGNER,
                delegation=text,
                delegated_on=delegated_on,
            )
        roles.access_sync(user)
        audit.record(
            action=audit_actions.SIGNER_DESIGNATE,
            actor=actor,
            target=user,
            organization_id=organization.pk,
            changes={
                "authorized_signer": [
                    before,
                    {"delegation": text, "delegated_on": delegated_on.isoformat(), "is_active": True},
                ]
            },
            data={"membership_id": membership.pk, "user": user.get_username()},
        )
        return membership

    return transition.perform_create(
        audit_actions.SIGNER_DESIGNATE,
        actor=actor,
        refusal=permissions_placing.signer_designation_refusal(organization, user, actor),
        target=user,
        organization_id=organization.pk,
        apply=apply,
    )
