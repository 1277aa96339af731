"""Roles: given, changed and taken away by an HHS administrator, never by the person whose roles
they are (NIST AC-5), each change audited with before/after values. Approval authority (an
approving official's level or delegation) is granted only when a second administrator confirms
it (two-person rule); narrowing it takes effect at once. Groups and the staff flag follow
(roles.access_sync)."""

from __future__ import annotations

from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import HHS_ROLES, LEVEL_RANK, GrantStatus, OrganizationKind, Role
from ratings.models import AuthorityGrant, Membership, Organization, User
from ratings.services import transition
from ratings.services.accounts import kinds, roles

NEEDS_GRANT = "Approval authority is granted with a second administrator's confirmation: ask for a grant instead."


def _check_fits(organization: Organization, role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed("Choose a role.", field="role")
    if (role in HHS_ROLES) != (organization.kind == OrganizationKind.AGENCY):
        raise ValidationFailed(
            "HHS roles belong to the agency; other roles to manufacturers and suppliers.", field="role"
        )


def _check_separation(user: User, role: str, *, field: str, ignoring: int | None = None) -> None:
    conflict = permissions.role_conflict(user, role, ignoring=ignoring)
    if conflict:
        raise ValidationFailed(conflict, field=field)


def _membership_snapshot(membership: Membership) -> dict[str, object]:
    return {
        "user": membership.user.get_username(),
        "organization": membership.organization.short_name or membership.organization.legal_name,
        "role": membership.role,
        "approval_level": membership.approval_level,
        "delegation": membership.delegation,
        "is_active": membership.is_active,
    }


def membership_add(*, user: User, actor: User, organization: Organization, role: str) -> Membership:
    """Give `user` a role (approval authority goes through authority_grant_request)."""

    def apply() -> Membership:
        _check_fits(organization, role)
        if role == Role.APPROVING_OFFICIAL:
            raise ValidationFailed(NEEDS_GRANT, field="role")
        if role == Role.AUTHORIZED_SIGNER:
            raise ValidationFailed(
                "An authorized signer is designated with the delegation recorded: use “Designate authorized signer”.",
                field="role",
            )
        if Membership.objects.filter(user=user, organization=organization, role=role).exists():
            raise ValidationFailed("This person already has this role here; reactivate it instead.", field="role")
        _check_separation(user, role, field="role")
        membership = Membership.objects.create(user=user, organization=organization, role=role)
        access = roles.access_sync(user)
        audit.record(
            action=audit_actions.MEMBERSHIP_ADD,
            actor=actor,
            target=user,
            organization_id=organization.pk,
            changes={"roles": [None, _membership_snapshot(membership)], **{k: [None, v] for k, v in access.items()}},
            data={"membership_id": membership.pk},
        )
        return membership

    return transition.perform_create(
        audit_actions.MEMBERSHIP_ADD,
        actor=actor,
        refusal=permissions.roles_refusal(user, actor),
        target=user,
        organization_id=organization.pk,
        apply=apply,
    )


CHANGE = transition.Action(
    audit=audit_actions.MEMBERSHIP_CHANGE, permission=lambda m, actor: permissions.roles_refusal(m.user, actor)
)


def membership_change(
    *,
    membership: Membership,
    actor: User,
    is_active: bool | None = None,
    approval_level: str | None = None,
    delegation: str | None = None,
) -> Membership:
    """Deactivate or reactivate a role, or narrow approval authority. Widening it (a higher level,
    another delegation, reactivating an approving official) needs a grant."""

    def apply(locked: Membership) -> transition.Applied:
        official = locked.role == Role.APPROVING_OFFICIAL
        if approval_level is not None and approval_level != locked.approval_level:
            if not official or approval_level not in LEVEL_RANK:
                raise ValidationFailed(
                    "Only approving officials have an approval level (DO or DX).", field="approval_level"
                )
            if LEVEL_RANK[approval_level] > LEVEL_RANK[locked.approval_level]:
                raise ValidationFailed(NEEDS_GRANT, field="approval_level")
            locked.approval_level = approval_level
        if delegation is not None and delegation.strip() != locked.delegation:
            if official:
                raise ValidationFailed(NEEDS_GRANT, field="delegation")
            locked.delegation = delegation.strip()
        if is_active is not None and is_active != locked.is_active:
            if official and is_active:
                raise ValidationFailed(NEEDS_GRANT, field="is_active")
            if is_active:
                _check_separation(locked.user, locked.role, field="is_active", ignoring=locked.pk)
            locked.is_active = is_active
        return transition.Applied(
            then=lambda: roles.access_sync(locked.user), data={"user": locked.user.get_username()}
        )

    return transition.perform(kinds.MEMBERSHIP, CHANGE, target=membership, actor=actor, apply=apply)


def authority_grant_request(
    *, user: User, actor: User, organization: Organization, approval_level: str, delegation: str
) -> AuthorityGrant:
    """Ask for approval authority for `user`; nothing changes until a second administrator confirms."""

    def apply() -> AuthorityGrant:
        if organization.kind != OrganizationKind.AGENCY:
            raise ValidationFailed("Approval authority belongs to the agency.", field="organization")
        if approval_level not in LEVEL_RANK:
            raise ValidationFailed("Choose the approval level: DO or DX.", field="approval_level")
        if not (delegation or "").strip():
            raise ValidationFailed("Name the delegation the official signs under.", field="delegation")
        _check_separation(user, Role.APPROVING_OFFICIAL, field="user")
        grant = AuthorityGrant.objects.create(
            user=user,
            organization=organization,
            approval_level=approval_level,
            delegation=delegation.strip(),
            requested_by=actor,
        )
        audit.record(
            action=audit_actions.AUTHORITY_GRANT_REQUEST,
            actor=actor,
            target=grant,
            organization_id=organization.pk,
            to_state=grant.status,
            data={"user": user.get_username(), "approval_level": approval_level, "delegation": grant.delegation},
        )
        return grant

    return transition.perform_create(
        audit_actions.AUTHORITY_GRANT_REQUEST,
        actor=actor,
        refusal=permissions.roles_refusal(user, actor),
        target=user,
        organization_id=organization.pk,
        apply=apply,
    )


CONFIRM = transition.Action(
    audit=audit_actions.AUTHORITY_GRANT_CONFIRM,
    permission=permissions.grant_decision_refusal,
    states=[GrantStatus.PENDING],
    done="be confirmed",
)
REJECT = transition.Action(
    audit=audit_actions.AUTHORITY_GRANT_REJECT,
    permission=permissions.grant_decision_refusal,
    states=[GrantStatus.PENDING],
    done="be refused",
)


def authority_grant_confirm(
    *, grant: AuthorityGrant, actor: User, expected_version: int | None = None
) -> AuthorityGrant:
    """The second administrator confirms: the approving-official role takes effect. The event
    names both administrators."""

    def apply(locked: AuthorityGrant) -> transition.Applied:
        _check_separation(locked.user, Role.APPROVING_OFFICIAL, field="user")
        membership, _ = Membership.objects.get_or_create(
            user=locked.user,
            organization=locked.organization,
            role=Role.APPROVING_OFFICIAL,
            defaults={"approval_level": locked.approval_level, "delegation": locked.delegation},
        )
        before = _membership_snapshot(membership)
        membership.approval_level, membership.delegation, membership.is_active = (
            locked.approval_level,
            locked.delegation,
            True,
        )
        membership.save()
        locked.status, locked.decided_by, locked.decided_at = GrantStatus.CONFIRMED, actor, timezone.now()
        roles.access_sync(locked.user)
        return transition.Applied(
            data={
                "user": locked.user.get_username(),
                "requested_by": {"id": locked.requested_by_id, "label": str(locked.requested_by)},
                "confirmed_by": {"id": actor.pk, "label": str(actor)},
                "membership_id": membership.pk,
                "membership": [before, _membership_snapshot(membership)],
            },
        )

    return transition.perform(
        kinds.GRANT, CONFIRM, target=grant, actor=actor, apply=apply, expected_version=expected_version
    )


def authority_grant_reject(
    *, grant: AuthorityGrant, actor: User, expected_version: int | None = None
) -> AuthorityGrant:
    def apply(locked: AuthorityGrant) -> transition.Applied:
        locked.status, locked.decided_by, locked.decided_at = GrantStatus.REJECTED, actor, timezone.now()
        return transition.Applied(data={"user": locked.user.get_username(), "requested_by": locked.requested_by_id})

    return transition.perform(
        kinds.GRANT, REJECT, target=grant, actor=actor, apply=apply, expected_version=expected_version
    )
