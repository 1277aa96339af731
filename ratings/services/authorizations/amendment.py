"""HHS amends a rating authorization's validity end date or conditions: a new signed version.

An official action of HHS on the authorization only (45 CFR 101.36(a)(1) governs changes to rated
orders; this changes none): the orders already placed under it stay as signed, and the notice to
the authorized party says so. Signed by an approving official with authority for the level
(re-authentication, 21 CFR 11.200), along the one transition path on the authorization's row.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions_authorization
from ratings.clock import agency_today
from ratings.constants_authorization import (
    AMENDMENT_LEAVES_ORDERS,
    SIGNATURE_MEANING_AUTHORIZATION_AMENDMENT,
    AuthorizationChange,
    AuthorizationStatus,
)
from ratings.models import RatingAuthorization, User
from ratings.services import items, transition
from ratings.services.accounts import signing_basis
from ratings.services.authorizations import notices, versions
from ratings.services.authorizations.changes import ACTIVE_ONLY, required_reason

CONDITIONS_MAX_LENGTH = 4000

AMEND = transition.Action(
    audit=audit_actions.AUTHORIZATION_AMEND,
    permission=permissions_authorization.authorization_change_rule(),
    states=[AuthorizationStatus.ACTIVE],
    state_message=ACTIVE_ONLY,
    signature=True,
)


def _valid_until(value: object, authorization: RatingAuthorization) -> dt.date:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            "Give the new last day of validity as a date, YYYY-MM-DD.", field="valid_until"
        ) from None
    if day < agency_today():
        raise ValidationFailed(
            f"The validity cannot end before today ({agency_today().isoformat()}); to stop placing now, revoke it.",
            field="valid_until",
        )
    if day < authorization.valid_from:
        raise ValidationFailed(
            f"The validity cannot end before it began ({authorization.valid_from.isoformat()}).", field="valid_until"
        )
    return day


def rating_authorization_amend(
    *,
    authorization: RatingAuthorization,
    actor: User,
    password: str,
    reason: str,
    valid_until: object = None,
    conditions: object = None,
    otp: str = "",
    expected_version: int | None = None,
) -> RatingAuthorization:
    """Extend or shorten the validity (never to before today) and/or replace the conditions.
    `None` (or a blank) leaves that part as it is; a change that changes nothing is refused."""

    def apply(locked: RatingAuthorization) -> transition.Applied:
        text = required_reason(reason, "amendment")
        rows: list[versions.Change] = []
        before = {"valid_until": locked.valid_until.isoformat(), "conditions": locked.conditions}
        if valid_until not in (None, ""):
            day = _valid_until(valid_until, locked)
            if day != locked.valid_until:
                rows.append(versions.Change("Valid until", locked.valid_until.isoformat(), day.isoformat()))
                locked.valid_until = day
        if conditions not in (None, ""):
            new = items.clean_text(
                conditions, field="conditions", label="The conditions", max_length=CONDITIONS_MAX_LENGTH
            )
            if new != locked.conditions:
                rows.append(versions.Change("Conditions", locked.conditions, new))
                locked.conditions = new
        if not rows:
            raise ValidationFailed(
                "The amendment changes nothing; give a new last day of validity or new conditions.", field="valid_until"
            )
        now = timezone.now()
        data = versions.sign_new_version(
            locked,
            signer=actor,
            at=now,
            change=AuthorizationChange.AMENDED,
            reason=text,
            changes=rows,
            meaning=SIGNATURE_MEANING_AUTHORIZATION_AMENDMENT,
            delegation=signing_basis.signing_delegation(actor, locked.level),
        )
        after = {"valid_until": locked.valid_until.isoformat(), "conditions": locked.conditions}
        return transition.Applied(
            reason=text,
            changes={name: [before[name], after[name]] for name in before if before[name] != after[name]},
            data=data,
            then=lambda: notices.notify_authorization_changed(locked, orders=[], orders_text=AMENDMENT_LEAVES_ORDERS),
        )

    return transition.perform(
        transition.AUTHORIZATION,
        AMEND,
        target=authorization,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )
