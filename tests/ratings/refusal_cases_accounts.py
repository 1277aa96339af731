"""Refusal cases of the accounts services, for tests/ratings/test_write_service_refusals.py:
each names someone who may not do it (the list there must name every write service)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ratings.constants import Role, TokenScope
from ratings.models import ApiToken, Membership
from ratings.services.accounts import memberships, mfa, organizations, tokens, users
from tests.factories import Cast


def _grant(cast: Cast) -> Any:
    return memberships.authority_grant_request(
        user=cast.reviewer, actor=cast.hhsadmin, organization=cast.hhs, approval_level="DO", delegation="ASPR"
    )


def _token(cast: Cast) -> ApiToken:
    return ApiToken.objects.create(user=cast.applicant, expiry=dt.timedelta(days=1), name="ERP", scope=TokenScope.READ)[
        0
    ]


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "user_create": lambda cast: case(
            lambda: users.user_create(actor=cast.applicant, username="newbie", email="n@example.com"), "account.create"
        ),
        "user_update": lambda cast: case(
            lambda: users.user_update(user=cast.applicant, actor=cast.reviewer, values={"first_name": "X"}),
            "account.update",
            cast.applicant,
        ),
        "password_change": lambda cast: case(
            lambda: users.password_change(
                user=cast.applicant, actor=cast.applicant2, old_password="x", new_password="a long new password 42"
            ),
            "account.password_change",
            cast.applicant,
        ),
        "password_reset_complete": lambda cast: case(
            lambda: users.password_reset_complete(
                user=cast.applicant, token="1-forged", new_password="a long one 4242"
            ),
            "account.password_reset",
            cast.applicant,
        ),
        "membership_add": lambda cast: case(
            lambda: memberships.membership_add(
                user=cast.hhsadmin, actor=cast.hhsadmin, organization=cast.hhs, role=Role.AUDITOR
            ),
            "membership.add",
            cast.hhsadmin,
        ),
        "membership_change": lambda cast: (
            (m := Membership.objects.get(user=cast.hhsadmin))
            and case(
                lambda: memberships.membership_change(membership=m, actor=cast.hhsadmin, is_active=False),
                "membership.change",
                m,
            )
        ),
        "authority_grant_request": lambda cast: case(
            lambda: memberships.authority_grant_request(
                user=cast.reviewer, actor=cast.reviewer, organization=cast.hhs, approval_level="DX", delegation="Me"
            ),
            "authority_grant.request",
            cast.reviewer,
        ),
        "authority_grant_confirm": lambda cast: (
            (grant := _grant(cast))
            and case(
                lambda: memberships.authority_grant_confirm(grant=grant, actor=cast.hhsadmin),
                "authority_grant.confirm",
                grant,
            )
        ),
        "authority_grant_reject": lambda cast: (
            (grant := _grant(cast))
            and case(
                lambda: memberships.authority_grant_reject(grant=grant, actor=cast.reviewer),
                "authority_grant.reject",
                grant,
            )
        ),
        "organization_create": lambda cast: case(
            lambda: organizations.organization_create(actor=cast.applicant, values={"legal_name": "Mine Inc."}),
            "organization.create",
        ),
        "organization_update": lambda cast: case(
            lambda: organizations.organization_update(
                organization=cast.manufacturer, actor=cast.applicant, values={"require_mfa": True}
            ),
            "organization.update",
            cast.manufacturer,
        ),
        "program_create": lambda cast: case(
            lambda: organizations.program_create(actor=cast.applicant, values={"symbol": "XX"}), "program.create"
        ),
        "program_update": lambda cast: case(
            lambda: organizations.program_update(program=cast.program, actor=cast.reviewer, values={"name": "X"}),
            "program.update",
            cast.program,
        ),
        "api_token_issue": lambda cast: case(
            lambda: tokens.api_token_issue(actor=cast.auditor, name="Export", scope=TokenScope.READ),
            "api_token.issue",
        ),
        "api_token_revoke": lambda cast: (
            (token := _token(cast))
            and case(lambda: tokens.api_token_revoke(token=token, actor=cast.applicant2), "api_token.revoke", token)
        ),
        "totp_enrol": lambda cast: case(
            lambda: mfa.totp_enrol(user=cast.applicant, actor=cast.applicant2, key=mfa.new_totp_key(), code="123456"),
            "mfa.enrol",
            cast.applicant,
        ),
        "passkey_enrol": lambda cast: case(
            lambda: mfa.passkey_enrol(user=cast.applicant, actor=cast.applicant2, register=lambda: None),
            "mfa.enrol",
            cast.applicant,
        ),
        "recovery_codes_make": lambda cast: case(
            lambda: mfa.recovery_codes_make(user=cast.reviewer, actor=cast.applicant2),
            "mfa.recovery_codes",
            cast.reviewer,
        ),
        "second_factor_verify": lambda cast: case(
            lambda: mfa.second_factor_verify(user=cast.reviewer, actor=cast.reviewer, code="000000"),
            "mfa.verify",
            cast.reviewer,
        ),
        "passkey_used": lambda cast: case(
            lambda: mfa.passkey_used(user=cast.applicant, actor=cast.applicant2, device=None),
            "mfa.verify",
            cast.applicant,
        ),
        "second_factor_reset": lambda cast: case(
            lambda: mfa.second_factor_reset(user=cast.hhsadmin, actor=cast.hhsadmin, reason="Lost phone."),
            "mfa.reset",
            cast.hhsadmin,
        ),
    }
