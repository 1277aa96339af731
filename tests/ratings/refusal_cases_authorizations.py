"""Refusal cases of HHS's changes to a rating authorization (revoke, upgrade, amend), for
tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.services.authorizations import amendment, changes
from tests.factories import PASSWORD, Cast, otp
from tests.ratings.refusal_cases_placing import _authorization


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "rating_authorization_revoke": lambda cast: (
            (authorization := _authorization(cast))
            and case(
                lambda: changes.rating_authorization_revoke(
                    authorization=authorization,
                    actor=cast.approver,
                    password="wrong",  # 21 CFR 11.200: the signature re-checks the password
                    otp=otp(cast.approver),
                    reason="Need ended.",
                ),
                "rating_authorization.revoke",
                authorization,
            )
        ),
        "rating_authorization_upgrade": lambda cast: (
            (authorization := _authorization(cast))
            and case(
                lambda: changes.rating_authorization_upgrade(
                    authorization=authorization,
                    actor=cast.approver,  # DO authority only: a DX rating needs DX authority
                    password=PASSWORD,
                    otp=otp(cast.approver),
                    reason="Escalated need.",
                ),
                "rating_authorization.upgrade",
                authorization,
            )
        ),
        "rating_authorization_amend": lambda cast: (
            (authorization := _authorization(cast))
            and case(
                lambda: amendment.rating_authorization_amend(
                    authorization=authorization,
                    actor=cast.reviewer,  # not an approving official
                    password=PASSWORD,
                    otp=otp(cast.reviewer),
                    reason="More time.",
                    conditions="New conditions.",
                ),
                "rating_authorization.amend",
                authorization,
            )
        ),
    }
