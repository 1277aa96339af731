"""Who changes a rating authorization HHS signed: revokes it, upgrades its rating from DO to DX, or
amends its validity or conditions. Each change is an official action of HHS (45 CFR 101.36(a)(1))
signed like the approval: by an approving official with authority for the level the authorization
carries after the change, who belongs to neither the authorized party nor the request's review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.constants import LEVEL_RANK, Role
from ratings.roles import approval_level, conflicted_organization_ids, has_role, organization_ids

Rule = Callable[[Any, Any], "str | None"]


def authorization_change_refusal(authorization: Any, user: Any, level: str | None = None) -> str | None:
    """`level`: the level the change signs (the upgrade's DX); by default the authorization's own."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in to do this."
    if has_role(user, Role.AUDITOR):
        return "Auditors have read-only access and take no action."
    if not has_role(user, Role.APPROVING_OFFICIAL):
        return "Only an HHS approving official can revoke, upgrade or amend a rating authorization."
    party = authorization.authorized_party_id
    if party in organization_ids(user):
        return "You belong to the authorized party, so you cannot act on its authorization (separation of duties)."
    if party in conflicted_organization_ids(user):
        return "You declared a conflict of interest with the authorized party, so you cannot act on its authorization."
    source = authorization.rating_request
    if source is not None and user.pk in {source.recommended_by_id, source.assigned_reviewer_id}:
        return (
            "You reviewed the request this authorization was issued for, so you cannot sign a change to it: "
            "the recommender never signs (separation of duties)."
        )
    needed = level or authorization.level
    held = approval_level(user)
    if held is None or LEVEL_RANK[held] < LEVEL_RANK[needed]:
        return f"This change signs a {needed} rating and needs an approving official with {needed} authority; yours is {held or 'none'}."
    return None


def authorization_change_rule(level: str | None = None) -> Rule:
    def rule(authorization: Any, user: Any) -> str | None:
        return authorization_change_refusal(authorization, user, level)

    rule.__name__ = f"authorization_change_{(level or 'own').lower()}_rule"
    return rule
