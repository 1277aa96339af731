"""Conflicts of interest: an HHS staff member declared conflicted with an organization.

A staff member declares their own; an intake analyst records one for anyone. While active, the
staff member is never offered the organization's requests (selectors.workqueue), the assignment
services refuse them (services.requests.checks) and the permission rules refuse them any
workflow action on those requests (ratings.permissions). Declarations are withdrawn, never deleted.
"""

from __future__ import annotations

from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import HHS_WORKFLOW_ROLES, OrganizationKind
from ratings.models import ConflictOfInterest, Organization, User
from ratings.services import transition

CONFLICT: transition.Kind[ConflictOfInterest] = transition.Kind(
    model=ConflictOfInterest,
    noun="Declaration",
    reference=lambda conflict: f"#{conflict.pk}",
    organization_id=lambda conflict: conflict.organization_id,
    filed_under=lambda conflict: "",
)
WITHDRAW = transition.Action(
    audit=audit_actions.CONFLICT_WITHDRAW,
    permission=lambda conflict, user: permissions.conflict_declaration_refusal(conflict.user, user),
)


def conflict_of_interest_declare(
    *, actor: User, staff_member: User, organization: Organization | None, reason: str
) -> ConflictOfInterest:
    """Record that `staff_member` may not act on `organization`'s requests."""
    text = (reason or "").strip()

    def apply() -> ConflictOfInterest:
        if organization is None or organization.kind == OrganizationKind.AGENCY:
            raise ValidationFailed("Choose the manufacturer or supplier the conflict is with.", field="organization")
        if not any(permissions.has_role(staff_member, role) for role in HHS_WORKFLOW_ROLES):
            raise ValidationFailed(f"{staff_member.printed_name} is not HHS workflow staff.", field="staff_member")
        if not text:
            raise ValidationFailed(
                "Say what the conflict is (e.g. a former employer, a family member).", field="reason"
            )
        if ConflictOfInterest.objects.filter(
            user=staff_member, organization=organization, withdrawn_at__isnull=True
        ).exists():
            raise ValidationFailed(
                f"{staff_member.printed_name} already has a declared conflict with {organization.legal_name}.",
                field="organization",
            )
        conflict = ConflictOfInterest.objects.create(
            user=staff_member, organization=organization, reason=text, declared_by=actor, declared_at=timezone.now()
        )
        audit.record(
            action=audit_actions.CONFLICT_DECLARE,
            actor=actor,
            target=conflict,
            organization_id=organization.pk,
            reason=text,
            data={"staff_member": staff_member.get_username(), "organization": organization.legal_name},
        )
        return conflict

    return transition.perform_create(
        audit_actions.CONFLICT_DECLARE,
        actor=actor,
        refusal=permissions.conflict_declaration_refusal(staff_member, actor),
        organization_id=organization.pk if organization else None,
        target=staff_member,
        apply=apply,
    )


def conflict_of_interest_withdraw(*, conflict: ConflictOfInterest, actor: User, reason: str) -> ConflictOfInterest:
    """End a declaration (made in error, or the tie ended); the record of it stays."""
    text = (reason or "").strip()

    def apply(locked: ConflictOfInterest) -> transition.Applied:
        if locked.withdrawn_at is not None:
            raise InvalidState("This declaration was already withdrawn.")
        if not text:
            raise ValidationFailed("Say why the declaration no longer holds.", field="reason")
        locked.withdrawn_at, locked.withdrawn_by, locked.withdrawal_reason = timezone.now(), actor, text
        return transition.Applied(reason=text, data={"staff_member": locked.user.get_username()})

    return transition.perform(CONFLICT, WITHDRAW, target=conflict, actor=actor, apply=apply)
