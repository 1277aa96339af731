"""Who places rated orders under an HHS rating authorization, and who designates the people who may.

45 CFR 101.32(a)(3): a rated order carries the signature of "an individual authorized to sign
rated orders for the person placing the order". HHS authorizes (the approval); the authorized
party's authorized signers (a role with a recorded delegation) place and sign. Part of
ratings.permissions, which re-exports these rules; kept apart only to keep each module readable.
"""

from __future__ import annotations

from typing import Any

from ratings import permissions
from ratings.constants import OrganizationKind, Role
from ratings.constants_authorization import AuthorizationStatus
from ratings.roles import (
    active_memberships,
    approval_level,
    approving_membership,
    has_role,
    is_hhs_staff,
    organization_ids,
    sees_business_data,
)


def signer_membership(user: Any, organization_id: int) -> Any | None:
    """The user's active authorized-signer role at the organization (with its delegation), or None."""
    return next(
        (
            m
            for m in active_memberships(user)
            if m.organization_id == organization_id and m.role == Role.AUTHORIZED_SIGNER
        ),
        None,
    )


def order_placing_refusal(authorization: Any, user: Any) -> str | None:
    """Only an authorized signer of the authorized party places (and signs) a rated order under
    the authorization; while it is active."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if authorization.rating_request_id is None:
        # HHS itself is the customer: HHS's own authorized signer places and signs (101.32(a)(3)).
        if has_role(user, Role.HHS_ADMIN):
            return permissions.HHS_ADMIN_REFUSAL
        if signer_membership(user, authorization.authorized_party_id) is None:
            return (
                "Only an authorized signer of HHS places and signs the rated orders HHS places as the customer "
                "(45 CFR 101.32(a)(3)); an HHS administrator designates them."
            )
        return permissions.customer_order_signer_refusal(authorization, user)
    if is_hhs_staff(user):
        return "HHS authorizes rated orders; the authorized party's authorized signer places and signs them."
    if signer_membership(user, authorization.authorized_party_id) is None:
        return (
            "Only an authorized signer of the authorized party can place and sign a rated order "
            "(45 CFR 101.32(a)(3)); ask your organization's administrator or HHS to designate you."
        )
    return None


def authorization_state_refusal(authorization: Any) -> str | None:
    if authorization.status != AuthorizationStatus.ACTIVE:
        return f"Authorization {authorization.number} is {authorization.get_status_display().lower()}; no order can be placed under it."
    return None


def sees_authorization(authorization: Any, user: Any) -> bool:
    """HHS staff who read business data, and the authorized party's applicants and signers."""
    if sees_business_data(user):
        return True
    return authorization.authorized_party_id in organization_ids(user, Role.APPLICANT, Role.AUTHORIZED_SIGNER)


def signer_designation_refusal(organization: Any, target_user: Any, user: Any) -> str | None:
    """An HHS administrator, or the organization's own administrator (its contact administrator),
    designates the organization's authorized signers; never oneself (NIST AC-5)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    kind = getattr(organization, "kind", None)
    if kind not in (OrganizationKind.MANUFACTURER, OrganizationKind.SUPPLIER, OrganizationKind.AGENCY):
        return "Authorized signers are designated for a manufacturer, a supplier or HHS."
    if getattr(target_user, "pk", None) == user.pk:
        return "Nobody designates themselves: ask your organization's administrator or HHS."
    if kind == OrganizationKind.AGENCY:
        # HHS's signers sign the orders HHS places as the customer; HHS's administrator designates them.
        if not has_role(user, Role.HHS_ADMIN):
            return "Only an HHS administrator designates HHS's authorized signers."
        if has_role(target_user, Role.AUDITOR) or has_role(target_user, Role.HHS_ADMIN):
            return (
                "Auditors and HHS administrators take no workflow action, so they do not sign HHS's rated orders "
                "(separation of duties)."
            )
        return None
    if has_role(user, Role.HHS_ADMIN):
        return None
    if any(m.organization_id == organization.pk and m.manages_contacts for m in active_memberships(user)):
        return None
    return "Only an HHS administrator or the organization's administrator designates its authorized signers."


def hhs_customer_authorization_refusal(level: str, user: Any) -> str | None:
    """An HHS approving official with authority for the level authorizes HHS's own rated orders
    (45 CFR 101.30; the program determination is the basis, there is no applicant's request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if has_role(user, Role.HHS_ADMIN):
        return permissions.HHS_ADMIN_REFUSAL
    if not has_role(user, Role.APPROVING_OFFICIAL):
        return "Only an HHS approving official authorizes the rated orders HHS places as the customer."
    if approving_membership(user, level) is None:
        return (
            f"A {level} rating needs an approving official with {level} authority; yours is "
            f"{approval_level(user) or 'none'}. DX ratings are approved only at Secretary level."
        )
    return None
