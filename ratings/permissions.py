"""Who may do what, checked on the server for every action: every permission rule lives here.

Each rule returns None when the action is allowed, else the reason in words a person can act
on. The FSM transitions of requests and orders declare the same rules (`permission=`), and
the one transition path (services.transition) checks them and audits a refusal. Separation of
duties (NIST AC-5) lives here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.constants import HHS_WORKFLOW_ROLES, LEVEL_RANK, OrganizationKind, RequestState, Role
from ratings.permissions_accounts import (
    account_admin_refusal as account_admin_refusal,
)
from ratings.permissions_accounts import (
    closure_day_refusal as closure_day_refusal,
)
from ratings.permissions_accounts import (
    grant_decision_refusal as grant_decision_refusal,
)
from ratings.permissions_accounts import (
    is_account_admin as is_account_admin,
)
from ratings.permissions_accounts import (
    must_use_second_factor as must_use_second_factor,
)
from ratings.permissions_accounts import (
    role_conflict as role_conflict,
)
from ratings.permissions_accounts import (
    roles_refusal as roles_refusal,
)
from ratings.permissions_accounts import (
    second_factor_reset_refusal as second_factor_reset_refusal,
)
from ratings.permissions_accounts import (
    token_issue_refusal as token_issue_refusal,
)
from ratings.permissions_accounts import (
    token_revoke_refusal as token_revoke_refusal,
)
from ratings.permissions_casework import (
    delay_recorder_refusal,
    manages_contacts_of,
    order_change_refusal,
    placing_party_refusal,
)

# The facts the rules stand on, read by callers through this module too.
from ratings.roles import (
    active_memberships as active_memberships,
)
from ratings.roles import (
    approval_level as approval_level,
)
from ratings.roles import (
    approving_membership as approving_membership,
)
from ratings.roles import (
    conflicted_organization_ids as conflicted_organization_ids,
)
from ratings.roles import (
    forget_memberships as forget_memberships,
)
from ratings.roles import (
    has_role as has_role,
)
from ratings.roles import (
    is_hhs_staff as is_hhs_staff,
)
from ratings.roles import (
    organization_ids as organization_ids,
)
from ratings.roles import (
    sees_business_data as sees_business_data,
)

Rule = Callable[[Any, Any], "str | None"]


# --- Rating requests -------------------------------------------------------------------------

APPLICANT_ACTIONS = frozenset({"edit", "submit", "respond", "withdraw", "resubmit"})
REVIEWER_ACTIONS = frozenset({"request_information", "recommend"})
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
    if rating_request.applicant_organization_id in conflicted_organization_ids(user):
        return "You declared a conflict of interest with the requesting organization, so you cannot act on its request."
    return None


def _assigned_reviewer_refusal(rating_request: Any, user: Any) -> str | None:
    reason = _hhs_refusal(rating_request, user, Role.REVIEWER)
    if reason is None and rating_request.assigned_reviewer_id != user.pk:
        reason = "Only the reviewer assigned to this request can do this."
    return reason


def _no_action_refusal(user: Any) -> str | None:
    """Anonymous users, auditors and HHS administrators take no workflow action."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if has_role(user, Role.HHS_ADMIN):
        return HHS_ADMIN_REFUSAL
    return None


def request_refusal(action: str, rating_request: Any, user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if action in APPLICANT_ACTIONS:
        return _no_action_refusal(user) or _applicant_refusal(rating_request, user)
    if action in {"accept_for_review", "assign"}:
        return _hhs_refusal(rating_request, user, Role.INTAKE_ANALYST)
    if action in REVIEWER_ACTIONS:
        return _assigned_reviewer_refusal(rating_request, user)
    if action == "return_for_correction":
        # Intake returns what it has not accepted; in review, only the assigned reviewer.
        if rating_request.state == RequestState.SUBMITTED:
            return _hhs_refusal(rating_request, user, Role.INTAKE_ANALYST)
        return _assigned_reviewer_refusal(rating_request, user)
    if action in {"return_for_rework", "approve", "deny"}:
        reason = _hhs_refusal(rating_request, user, Role.APPROVING_OFFICIAL)
        if reason:
            return reason
        if user.pk in {rating_request.recommended_by_id, rating_request.assigned_reviewer_id}:
            return "You reviewed this request, so you cannot decide it: an approving official never approves their own review (separation of duties)."
        if action == "approve":
            # The request is decided by an official with authority for the level asked for, even
            # when the decision is a lower level: only the Secretary's level judges that a DX
            # request deserves DO instead. The level approved is checked with the decision too.
            level = approval_level(user)
            if level is None or LEVEL_RANK[level] < LEVEL_RANK[rating_request.requested_level]:
                return (
                    f"A {rating_request.requested_level} request is decided by an approving official with "
                    f"{rating_request.requested_level} authority; yours is {level or 'none'}. "
                    "DX ratings are decided only at Secretary level."
                )
        return None
    return f"Unknown action {action!r}."


# --- HHS as the customer (45 CFR 101.32(a)(3)) -------------------------------------------------


def customer_order_signer_refusal(authorization: Any, user: Any) -> str | None:
    """AC-5: the approving official who signed HHS's customer authorization does not also sign
    an order under it; another of HHS's authorized signers places it."""
    if authorization.rating_request_id is None and authorization.signer_id == getattr(user, "pk", None):
        return (
            f"You signed HHS's customer authorization {authorization.number}, so you cannot also sign a rated order "
            "under it: another HHS authorized signer places it (separation of duties)."
        )
    return None


def request_create_refusal(organization: Any, user: Any) -> str | None:
    """Only an applicant of a manufacturer prepares a request for it."""
    if (
        organization is None
        or organization.kind != OrganizationKind.MANUFACTURER
        or organization.pk not in organization_ids(user, Role.APPLICANT)
        or has_role(user, Role.AUDITOR)
    ):
        return "Only an applicant of a manufacturer can prepare a request for it."
    return None


def assignment_refusal(user: Any) -> str | None:
    """Who assigns reviewers at all (before looking at any one request): HHS intake."""
    reason = _no_action_refusal(user)
    if reason is None and not has_role(user, Role.INTAKE_ANALYST):
        reason = "Only an HHS intake analyst assigns reviewers."
    return reason


def conflict_declaration_refusal(declared_for: Any, user: Any) -> str | None:
    """A staff member declares their own conflicts; intake declares them for anyone."""
    reason = _no_action_refusal(user)
    if reason:
        return reason
    if not any(has_role(user, role) for role in (Role.INTAKE_ANALYST, Role.REVIEWER, Role.APPROVING_OFFICIAL)):
        return "Only HHS workflow staff declare conflicts of interest."
    if getattr(declared_for, "pk", None) != user.pk and not has_role(user, Role.INTAKE_ANALYST):
        return "You can declare only your own conflicts of interest; an intake analyst records them for others."
    return None


def own_account_refusal(account: Any, user: Any) -> str | None:
    """An account's settings (password, second factor, notice preferences) are its holder's alone."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if getattr(account, "pk", None) != user.pk:
        return "Only the account's owner can do this."
    return None


# --- Rated orders ------------------------------------------------------------------------------

ORDER_SIGNER_ACTIONS = frozenset({"amend", "cancel"})
SUPPLIER_ACTIONS = frozenset(
    {
        "accept",
        "reject",
        "notify_delay",
        "confirm_delay",
        "mark_fulfilled",
        "flowdown",
        "acknowledge_directive",
        "agree_change",
    }
)
# The customer (whoever placed the order) answers the supplier and asks HHS for help.
PLACING_PARTY_ACTIONS = frozenset({"accept_offer", "open_assistance"})


def _supplier_refusal(order: Any, user: Any) -> str | None:
    """Only a supplier contact of the order's supplier answers it (or extends it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if is_hhs_staff(user):
        return "HHS staff do not answer rated orders; only the supplier's contacts do."
    if order.supplier_id not in organization_ids(user, Role.SUPPLIER_CONTACT):
        return "Only a contact of the supplier this order is addressed to can answer it."
    return None


def order_refusal(action: str, order: Any, user: Any) -> str | None:
    if action in ORDER_SIGNER_ACTIONS:
        return order_change_refusal(order, user)
    if action in SUPPLIER_ACTIONS:
        return _supplier_refusal(order, user)
    if action in PLACING_PARTY_ACTIONS:
        return placing_party_refusal(order, user)
    if action == "record_delay":
        return delay_recorder_refusal(order, user)
    return f"Unknown action {action!r}."


# --- HHS operations on the system's own records ------------------------------------------------


def workflow_staff_refusal(_target: Any, user: Any) -> str | None:
    """HHS staff other than auditors retry failed document generation."""
    if not any(has_role(user, role) for role in HHS_WORKFLOW_ROLES):
        return "Only HHS workflow staff can retry document generation."
    return None


def notice_resend_refusal(_notification: Any, user: Any) -> str | None:
    if not (user.is_active and user.is_staff and is_hhs_staff(user)):
        return "Only HHS staff may resend notices."
    return None


def notice_recipient_refusal(notification: Any, user: Any) -> str | None:
    if notification.recipient_id != getattr(user, "pk", None):
        return "This notice is not addressed to you."
    return None


INVITING_ROLES = (Role.INTAKE_ANALYST, Role.HHS_ADMIN)


def invitation_refusal(target: Any, user: Any) -> str | None:
    """HHS intake and administrators invite any supplier's contacts; a supplier's contact
    administrator invites colleagues of its own organization."""
    if any(has_role(user, role) for role in INVITING_ROLES):
        return None
    if getattr(target, "kind", None) == OrganizationKind.SUPPLIER and manages_contacts_of(user, target.pk):
        return None
    return "Only HHS intake analysts and administrators, or the supplier's contact administrator, invite supplier contacts."


# --- The program view (dashboard, supply network, concentration) -------------------------------

PROGRAM_VIEW_PERMISSION = "ratings.see_program_view"


def program_view_refusal(_target: Any, user: Any) -> str | None:
    """HHS staff who read rating data (workflow staff, auditors) and were granted the program
    view permission; an HHS administrator reads no business data (AC-5), even with it. The same
    holders keep the item-family mapping the concentration figures are computed on."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "Sign in to do this."
    if not sees_business_data(user):
        return "The program view is for HHS staff who read rating requests and orders."
    if not user.has_perm(PROGRAM_VIEW_PERMISSION):
        return "Only HHS staff granted the program view permission can open the program view."
    return None


def capacity_report_refusal(supplier: Any, user: Any) -> str | None:
    """A supplier's contact reports its capacity; nobody else speaks for the supplier."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "Sign in to do this."
    if is_hhs_staff(user):
        return "HHS staff do not report a supplier's capacity; only the supplier's contacts do."
    if getattr(supplier, "pk", None) not in organization_ids(user, Role.SUPPLIER_CONTACT):
        return "Only a contact of the supplier can report its capacity."
    return None


# --- Webhooks -------------------------------------------------------------------------------------

WEBHOOK_ROLES = (Role.APPLICANT, Role.SUPPLIER_CONTACT)


def webhook_refusal(organization: Any, user: Any) -> str | None:
    """An organization's applicants or supplier contacts manage its webhook endpoints (an
    endpoint receives that organization's confidential events)."""
    if organization is None or organization.pk not in organization_ids(user, *WEBHOOK_ROLES):
        return "Only an applicant or supplier contact of the organization manages its webhooks."
    return None


def webhook_endpoint_refusal(endpoint: Any, user: Any) -> str | None:
    return webhook_refusal(endpoint.organization, user)


# --- The audit trail ----------------------------------------------------------------------------


def may_audit(user: Any) -> bool:
    """The auditor role, or HHS staff granted `audit.view_auditevent`. Read-only either way.
    Registered as audit's workspace policy at startup (RatingsConfig.ready)."""
    return has_role(user, Role.AUDITOR) or (is_hhs_staff(user) and user.has_perm("audit.view_auditevent"))


def only_audits(user: Any) -> bool:
    """Auditing is the user's only role: their home is the audit workspace, not a queue or portal."""
    roles = {m.role for m in active_memberships(user)}
    return roles == {Role.AUDITOR} and has_role(user, Role.AUDITOR)


def legal_hold_refusal(_target: Any, user: Any) -> str | None:
    """Counsel or records officers holding `audit.place_legalhold` place and release holds."""
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if not user.has_perm("audit.place_legalhold"):
        return "Only staff with the legal-hold permission can place or release holds."
    return None


# --- Adapters for django-fsm's `permission=` ------------------------------------------------


def request_rule(action: str) -> Rule:
    def rule(rating_request: Any, user: Any) -> str | None:
        return request_refusal(action, rating_request, user)

    rule.__name__ = f"request_{action}_rule"
    return rule


def order_rule(action: str) -> Rule:
    def rule(order: Any, user: Any) -> str | None:
        return order_refusal(action, order, user)

    rule.__name__ = f"order_{action}_rule"
    return rule


def allowed(rule: Rule) -> Callable[[Any, Any], bool]:
    """django-fsm's `permission=` wants a predicate on (instance, user)."""

    def check(instance: Any, user: Any) -> bool:
        return rule(instance, user) is None

    check.__name__ = f"allowed_{rule.__name__}"
    return check
