"""HHS changes a rating authorization it signed: revokes it, or upgrades its rating from DO to DX.

Each is an official action of HHS (45 CFR 101.36(a)(1)) along the one transition path on the
authorization's row, signed by an approving official with authority for the level signed
(re-authentication, 21 CFR 11.200), and produces a new signed version of the authorization
(services.authorizations.versions). The change reaches every open order placed under the
authorization, flow-down orders included, each with its own signed version and its own notice to
its supplier (45 CFR 101.36(f): all suppliers promptly notified in writing) and to the customer
that placed it; the authorized party is told of the authorization's change itself.
Amending validity or conditions, which changes no order, is services.authorizations.amendment.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import audit_actions, permissions_authorization
from ratings.constants import SIGNATURE_MEANING_CANCELLATION, RatingLevel
from ratings.constants_authorization import (
    REVOCATION_ORDER_REASON,
    SIGNATURE_MEANING_AUTHORIZATION_REVOCATION,
    SIGNATURE_MEANING_AUTHORIZATION_UPGRADE,
    UPGRADE_ORDER_REASON,
    AuthorizationChange,
    AuthorizationStatus,
)
from ratings.models import RatedOrder, RatingAuthorization, User
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.services import transition
from ratings.services.accounts import signing_basis
from ratings.services.authorizations import notices, versions
from ratings.services.orders import changes as order_changes

ACTIVE_ONLY = "{noun} {reference} is {state}; HHS can no longer change it."
REVOKE = transition.Action(
    audit=audit_actions.AUTHORIZATION_REVOKE,
    permission=permissions_authorization.authorization_change_rule(),
    states=[AuthorizationStatus.ACTIVE],
    state_message=ACTIVE_ONLY,
    signature=True,
)
UPGRADE = transition.Action(
    audit=audit_actions.AUTHORIZATION_UPGRADE,
    permission=permissions_authorization.authorization_change_rule(RatingLevel.DX),
    states=[AuthorizationStatus.ACTIVE],
    state_message=ACTIVE_ONLY,
    signature=True,
)


def required_reason(reason: str, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(f"Give the reason for the {what}; the authorized party will read it.", field="reason")
    return text


def _signed(
    action: transition.Action,
    authorization: RatingAuthorization,
    actor: User,
    apply: Callable[[RatingAuthorization], transition.Applied],
    *,
    password: str,
    otp: str,
    expected_version: int | None,
) -> RatingAuthorization:
    return transition.perform(
        transition.AUTHORIZATION,
        action,
        target=authorization,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )


def _orders_under(authorization: RatingAuthorization) -> list[RatedOrder]:
    """Every order placed under the authorization and every order extending one (flow-down, any
    depth), locked tier by tier below the authorization."""
    found: list[RatedOrder] = []
    tier = list(
        RatedOrder.objects.select_for_update(of=("self",), no_key=True)
        .filter(authorization=authorization, parent__isnull=True)
        .order_by("pk")
    )
    while tier:
        found += tier
        tier = list(
            RatedOrder.objects.select_for_update(of=("self",), no_key=True)
            .filter(parent_id__in=[order.pk for order in tier])
            .order_by("pk")
        )
    return found


def rating_authorization_revoke(
    *,
    authorization: RatingAuthorization,
    actor: User,
    password: str,
    reason: str,
    otp: str = "",
    expected_version: int | None = None,
) -> RatingAuthorization:
    """Revoke: no order can be placed under it any more, and every open order placed under it
    (and every order extending one) is cancelled by HHS with a signed cancellation notice."""

    def apply(locked: RatingAuthorization) -> transition.Applied:
        text = required_reason(reason, "revocation")
        now = timezone.now()
        delegation = signing_basis.signing_delegation(actor, locked.level)
        locked.status, locked.revoked_at = AuthorizationStatus.REVOKED, now
        data = versions.sign_new_version(
            locked,
            signer=actor,
            at=now,
            change=AuthorizationChange.REVOKED,
            reason=text,
            changes=[versions.Change("Status", "Active", "Revoked")],
            meaning=SIGNATURE_MEANING_AUTHORIZATION_REVOCATION,
            delegation=delegation,
        )
        signing = order_changes.Signing(
            actor=actor, meaning=SIGNATURE_MEANING_CANCELLATION, delegation=delegation, at=now
        )
        order_reason = REVOCATION_ORDER_REASON.format(number=locked.number, reason=text)
        cancelled: list[order_changes.Cancelled] = []
        roots = RatedOrder.objects.select_for_update(of=("self",), no_key=True).filter(
            authorization=locked, parent__isnull=True
        )
        for root in roots.order_by("pk"):
            cancelled += order_changes.cancel_by_official_action(root, signing=signing, reason=order_reason)
        numbers = [row.order.order_number for row in cancelled]

        def then() -> None:
            notices.notify_authorization_changed(
                locked,
                orders=numbers,
                orders_text=(
                    "HHS cancelled every open rated order placed under it; each supplier received a signed "
                    "cancellation notice:"
                    if numbers
                    else "No open rated order was placed under it."
                ),
            )
            order_changes.record_cancelled(actor, cancelled)

        return transition.Applied(
            reason=text,
            changes={"status": [AuthorizationStatus.ACTIVE, AuthorizationStatus.REVOKED]},
            data={**data, "cancelled_orders": numbers},
            then=then,
        )

    return _signed(REVOKE, authorization, actor, apply, password=password, otp=otp, expected_version=expected_version)


def rating_authorization_upgrade(
    *,
    authorization: RatingAuthorization,
    actor: User,
    password: str,
    reason: str,
    otp: str = "",
    expected_version: int | None = None,
) -> RatingAuthorization:
    """Upgrade DO to DX, signed by an approving official with DX authority: a new version of the
    authorization at DX, and an amendment at DX of every open order placed under it."""

    def apply(locked: RatingAuthorization) -> transition.Applied:
        if locked.level != RatingLevel.DO:
            raise InvalidState(
                f"Authorization {locked.number} is already {locked.rating}; only a DO rating is upgraded."
            )
        text = required_reason(reason, "upgrade")
        now = timezone.now()
        delegation = signing_basis.signing_delegation(actor, RatingLevel.DX)
        before, after = locked.rating, f"{RatingLevel.DX}-{locked.program.symbol}"
        locked.level, locked.rating = RatingLevel.DX, after
        # The basis printed names the authority signing this version (services.authorizations.issue).
        locked.legal_basis = locked.legal_basis.replace(
            f"Approving authority: {locked.delegation}.", f"Approving authority: {delegation}."
        )
        data = versions.sign_new_version(
            locked,
            signer=actor,
            at=now,
            change=AuthorizationChange.UPGRADED,
            reason=text,
            changes=[versions.Change("Priority rating", before, after)],
            meaning=SIGNATURE_MEANING_AUTHORIZATION_UPGRADE,
            delegation=delegation,
        )
        signing = order_changes.Signing(
            actor=actor, meaning=SIGNATURE_MEANING_AUTHORIZATION_UPGRADE, delegation=delegation, at=now
        )
        order_reason = UPGRADE_ORDER_REASON.format(number=locked.number, before=before, after=after, reason=text)
        amended = []
        for order in _orders_under(locked):
            if order.status not in OPEN_ORDER_STATUSES:
                continue
            from_state = order.status
            version = order_changes.upgrade_by_official_action(
                order, signing=signing, rating=after, reason=order_reason
            )
            amended.append((order, from_state, version))
        numbers = [order.order_number for order, _, _ in amended]

        def then() -> None:
            notices.notify_authorization_changed(
                locked,
                orders=numbers,
                orders_text=(
                    f"Every open rated order placed under it was amended to {after}; each supplier received the "
                    "signed amendment and must give the order DX treatment as of the date it receives the change "
                    "(45 CFR 101.36(b)):"
                    if numbers
                    else "No open rated order was placed under it; orders placed from now on carry " + after + "."
                ),
            )
            order_changes.record_upgraded(actor, amended, reason=order_reason)

        return transition.Applied(
            reason=text,
            changes={"level": [RatingLevel.DO, RatingLevel.DX], "rating": [before, after]},
            data={**data, "amended_orders": numbers},
            then=then,
        )

    return _signed(UPGRADE, authorization, actor, apply, password=password, otp=otp, expected_version=expected_version)
