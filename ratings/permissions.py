"""Who may do what, checked on the server for every action: every permission rule lives here.

Each rule returns None when the action is allowed, else the reason in words a person can act
on. The FSM transitions of requests and orders declare the same rules (`permission=`), and
the one transition path (services.transition) checks them and audits a refusal. Separation of
duties (NIST AC-5) lives here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.constants import HHS_ROLES, LEVEL_RANK, OrganizationKind, RequestState, Role

Rule = Callable[[Any, Any], "str | None"]


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
            level = approval_level(user)
            if level is None or LEVEL_RANK[level] < LEVEL_RANK[rating_request.requested_level]:
                return (
                    f"A {rating_request.requested_level} rating needs an approving official with "
                    f"{rating_request.requested_level} authority; yours is {level or 'none'}. "
                    "DX ratings are approved only at Secretary level."
                )
        return None
    return f"Unknown action {action!r}."


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
    """Settings of an account (notice preferences) are changed by its holder only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if getattr(account, "pk", None) != user.pk:
        return "You can change only your own notice preferences."
    return None


# --- Rated orders ------------------------------------------------------------------------------

ORDER_SIGNER_ACTIONS = frozenset({"amend", "cancel"})
SUPPLIER_ACTIONS = frozenset({"accept", "reject", "notify_delay", "mark_fulfilled", "flowdown"})


def _order_signer_refusal(order: Any, user: Any) -> str | None:
    """Only an HHS approving official with authority for the order's level signs changes."""
    reason = _no_action_refusal(user)
    if reason:
        return reason
    if not has_role(user, Role.APPROVING_OFFICIAL):
        return "Only an HHS approving official can amend or cancel a rated order."
    if order.placing_organization_id in organization_ids(user):
        return "You belong to the placing organization, so you cannot act on its order (separation of duties)."
    level = approval_level(user)
    if level is None or LEVEL_RANK[level] < LEVEL_RANK[order.level]:
        return (
            f"A {order.level} order needs an approving official with {order.level} authority; yours is "
            f"{level or 'none'}."
        )
    return None


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
        return _order_signer_refusal(order, user)
    if action in SUPPLIER_ACTIONS:
        return _supplier_refusal(order, user)
    return f"Unknown action {action!r}."


# --- HHS operations on the system's own records ------------------------------------------------


def workflow_staff_refusal(_target: Any, user: Any) -> str | None:
    """HHS staff other than auditors retry failed document generation."""
    if not is_hhs_staff(user) or has_role(user, Role.AUDITOR):
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


def invitation_refusal(_target: Any, user: Any) -> str | None:
    if not any(has_role(user, role) for role in INVITING_ROLES):
        return "Only HHS intake analysts and administrators invite supplier contacts."
    return None


# --- The audit trail ----------------------------------------------------------------------------


def may_audit(user: Any) -> bool:
    """The auditor role, or HHS staff granted `audit.view_auditevent`. Read-only either way.
    Registered as audit's workspace policy at startup (RatingsConfig.ready)."""
    return has_role(user, Role.AUDITOR) or (is_hhs_staff(user) and user.has_perm("audit.view_auditevent"))


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
