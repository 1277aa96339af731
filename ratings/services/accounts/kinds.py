"""How the one transition path reads account rows: memberships, grants, organizations,
programs and API tokens (users are `transition.ACCOUNT`)."""

from __future__ import annotations

from ratings.models import ApiToken, AuthorityGrant, Membership, Organization, Program
from ratings.services.transition import Kind

MEMBERSHIP: Kind[Membership] = Kind(
    model=Membership,
    noun="Role",
    reference=lambda m: m.user.get_username(),
    organization_id=lambda m: m.organization_id,
    audited_fields=("role", "approval_level", "delegation", "is_active"),
    filed_under=lambda m: "",
)
GRANT: Kind[AuthorityGrant] = Kind(
    model=AuthorityGrant,
    noun="Grant",
    reference=lambda g: f"#{g.pk}",
    organization_id=lambda g: g.organization_id,
    state_field="status",
    version_field="version",
    bump_version=True,
    audited_fields=("status", "decided_by_id", "decided_at"),
    stale_message="This grant was decided by someone else; reload the page.",
    filed_under=lambda g: "",
)
ORGANIZATION: Kind[Organization] = Kind(
    model=Organization,
    noun="Organization",
    reference=lambda o: o.legal_name,
    organization_id=lambda o: o.pk,
    filed_under=lambda o: "",
)
PROGRAM: Kind[Program] = Kind(
    model=Program,
    noun="Program",
    reference=lambda p: p.symbol,
    organization_id=lambda p: None,
    filed_under=lambda p: "",
)
API_TOKEN: Kind[ApiToken] = Kind(
    model=ApiToken,
    noun="Token",
    reference=lambda t: t.token_key,
    organization_id=lambda t: None,
    filed_under=lambda t: "",
)
