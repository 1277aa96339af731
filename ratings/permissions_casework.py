"""Who may act on what follows a rated order's answer: the placing party (accepting an offered
date, recording a delay reported outside the portal, asking for assistance), HHS's assistance
cases and directives. Part of ratings.permissions, which re-exports every rule here; kept apart
only to keep each module readable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from ratings.constants import HHS_WORKFLOW_ROLES, LEVEL_RANK, Role
from ratings.roles import active_memberships, approval_level, conflicted_organization_ids, has_role, organization_ids

Rule = Callable[[Any, Any], "str | None"]


def _no_action_refusal(user: Any) -> str | None:
    """Anonymous users, auditors and HHS administrators take no workflow action (AC-5)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if has_role(user, Role.HHS_ADMIN):
        return "HHS administrators manage users and organizations and take no workflow action (separation of duties)."
    return None


def manages_contacts_of(user: Any, organization_id: int) -> bool:
    """The supplier's contact administrator: an active supplier contact who manages contacts."""
    return any(
        m.organization_id == organization_id and m.role == Role.SUPPLIER_CONTACT and m.manages_contacts
        for m in active_memberships(user)
    )


# --- the placing party --------------------------------------------------------------------------


def is_placing_party(order: Any, user: Any) -> bool:
    """An applicant or authorized signer of the placing manufacturer, or a contact of the supplier
    that extended the order."""
    if order.parent_id is not None:
        return order.placing_organization_id in organization_ids(user, Role.SUPPLIER_CONTACT)
    return order.placing_organization_id in organization_ids(user, Role.APPLICANT, Role.AUTHORIZED_SIGNER)


def placing_party_refusal(order: Any, user: Any) -> str | None:
    reason = _no_action_refusal(user)
    if reason is None and not is_placing_party(order, user):
        reason = "Only the customer that placed this order can do this."
    return reason


def placing_signer_refusal(order: Any, user: Any) -> str | None:
    """The placing party's written change or cancellation is signed by an individual authorized
    to sign rated orders for it (45 CFR 101.36(a)(2) read with 101.32(a)(3)): an amendment can
    itself be a new rated order (101.36(c)). An order extended to a sub-tier supplier stays with
    the rule that placed it (any contact of the supplier that extended it)."""
    if order.parent_id is not None or order.placing_organization_id in organization_ids(user, Role.AUTHORIZED_SIGNER):
        return None
    return (
        "Only an authorized signer of your organization can amend or cancel its rated order: the change is "
        "signed like the order (45 CFR 101.36(a)(2), 101.32(a)(3)). Ask your organization's administrator or HHS "
        "to designate you, or ask one of your authorized signers."
    )


def order_change_refusal(order: Any, user: Any) -> str | None:
    """The party that placed the order changes or cancels it by written notice (45 CFR
    101.36(a)(2)); HHS by official action (101.36(a)(1)), signed by an approving official with
    authority for the order's level."""
    reason = _no_action_refusal(user)
    if reason:
        return reason
    if is_placing_party(order, user):
        return placing_signer_refusal(order, user)
    if not has_role(user, Role.APPROVING_OFFICIAL):
        return "Only the customer that placed this order, or an HHS approving official, can amend or cancel it."
    if order.placing_organization_id in organization_ids(user):
        return "You belong to the placing organization, so you cannot act on its order (separation of duties)."
    source = order.source_request if order.source_request_id else None
    if source is not None and user.pk in {source.recommended_by_id, source.assigned_reviewer_id}:
        return (
            "You reviewed the request this order was issued for, so you cannot amend or cancel it: "
            "the recommender never signs (separation of duties)."
        )
    level = approval_level(user)
    if level is None or LEVEL_RANK[level] < LEVEL_RANK[order.level]:
        return (
            f"A {order.level} order needs an approving official with {order.level} authority; yours is "
            f"{level or 'none'}."
        )
    return None


def delay_recorder_refusal(order: Any, user: Any) -> str | None:
    """A delay reported outside the portal is recorded by the customer or by HHS workflow staff."""
    reason = _no_action_refusal(user)
    if reason is None and not (is_placing_party(order, user) or any(has_role(user, r) for r in HHS_WORKFLOW_ROLES)):
        reason = "Only the customer that placed this order or HHS staff record a delay the supplier reported."
    return reason


# --- special priorities assistance and directives ------------------------------------------------


CASE_OFFICER_ACTIONS = frozenset({"ask", "record_action", "close"})


def case_officer_refusal(case: Any, user: Any) -> str | None:
    """Who may be a case officer: HHS workflow staff belonging to neither party, conflicted with neither."""
    reason = _no_action_refusal(user)
    if reason is None and not any(has_role(user, role) for role in HHS_WORKFLOW_ROLES):
        reason = "A case officer is HHS workflow staff."
    return reason or _parties_refusal(case, user)


def _case_staff_refusal(case: Any, user: Any, role: str) -> str | None:
    """HHS workflow staff with `role`, belonging to neither party and conflicted with neither."""
    reason = _no_action_refusal(user)
    if reason:
        return reason
    if not has_role(user, role):
        return f"Only an {Role(role).label} can do this."
    return _parties_refusal(case, user)


def _parties_refusal(case: Any, user: Any) -> str | None:
    parties = {case.organization_id, case.order.supplier_id}
    if parties & set(organization_ids(user)):
        return "You belong to a party of this case, so you cannot act on it as HHS staff (separation of duties)."
    if parties & set(conflicted_organization_ids(user)):
        return "You declared a conflict of interest with a party of this case, so you cannot act on it."
    return None


def is_case_party(case: Any, user: Any) -> bool:
    """The placing party of the case's order, or a contact of its supplier."""
    order = case.order
    return is_placing_party(order, user) or order.supplier_id in organization_ids(user, Role.SUPPLIER_CONTACT)


def assistance_refusal(action: str, case: Any, user: Any) -> str | None:
    if action == "take":
        return _case_staff_refusal(case, user, Role.INTAKE_ANALYST)
    if action in CASE_OFFICER_ACTIONS:
        reason = _no_action_refusal(user)
        if reason is None and (case.case_officer_id is None or case.case_officer_id != user.pk):
            reason = "Only the case officer assigned to this case can do this."
        return reason
    if action == "answer":
        reason = _no_action_refusal(user)
        if reason is None and not is_case_party(case, user):
            reason = "Only the placing party or the supplier of this case can answer HHS's questions."
        return reason
    if action == "issue_directive":
        reason = _case_staff_refusal(case, user, Role.APPROVING_OFFICIAL)
        if reason:
            return reason
        needed = directive_level()
        level = approval_level(user)
        if level is None or LEVEL_RANK[level] < LEVEL_RANK[needed]:
            return (
                f"A directive takes precedence over every rated order: it needs an approving official with "
                f"{needed} authority; yours is {level or 'none'}."
            )
        return None
    return f"Unknown action {action!r}."


def directive_level() -> str:
    """The approval authority a directive needs (settings.DIRECTIVE_AUTHORITY_LEVEL, DX by default)."""
    return str(settings.DIRECTIVE_AUTHORITY_LEVEL)


def assistance_rule(action: str) -> Rule:
    def rule(case: Any, user: Any) -> str | None:
        return assistance_refusal(action, case, user)

    rule.__name__ = f"assistance_{action}_rule"
    return rule


# --- reconsideration of a denial ------------------------------------------------------------------


def reconsideration_refusal(action: str, rating_request: Any, user: Any) -> str | None:
    """The applicant asks; an approving official other than the one who decided (and than the
    reviewer) decides, with authority for the level requested (AC-5: nobody reviews their own decision)."""
    reason = _no_action_refusal(user)
    if reason:
        return reason
    if action == "ask":
        if rating_request.applicant_organization_id not in organization_ids(user, Role.APPLICANT):
            return "Only an applicant of the requesting organization can ask for reconsideration."
        return None
    if not has_role(user, Role.APPROVING_OFFICIAL):
        return "Only an HHS approving official decides a reconsideration."
    pending = rating_request.reconsiderations.filter(outcome="").first()
    original = pending.original_decider_id if pending else rating_request.decided_by_id
    if user.pk in {original, rating_request.recommended_by_id, rating_request.assigned_reviewer_id}:
        return "You decided or reviewed this request: another approving official must reconsider it (separation of duties)."
    organization = rating_request.applicant_organization_id
    if organization in organization_ids(user) or organization in conflicted_organization_ids(user):
        return "You belong to or declared a conflict with the requesting organization, so you cannot decide this."
    level = approval_level(user)
    if level is None or LEVEL_RANK[level] < LEVEL_RANK[rating_request.requested_level]:
        return f"A {rating_request.requested_level} request needs an approving official with that authority."
    return None


def reconsideration_rule(action: str) -> Rule:
    def rule(rating_request: Any, user: Any) -> str | None:
        return reconsideration_refusal(action, rating_request, user)

    rule.__name__ = f"reconsideration_{action}_rule"
    return rule
