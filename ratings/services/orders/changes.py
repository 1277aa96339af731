"""The placing side changes an issued order: amend (a new signed version) or cancel (45 CFR 101.36).

Both are signatures (the password is re-checked, 21 CFR 11.200) and run along the one
transition path (services.transition). A cancellation reaches every order extended from the
cancelled one (flow-down, any depth).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions, permissions_casework
from ratings.constants import (
    SIGNATURE_MEANING_APPROVAL,
    SIGNATURE_MEANING_CANCELLATION,
    SIGNATURE_MEANING_PLACING_AMENDMENT,
    SIGNATURE_MEANING_PLACING_CANCELLATION,
    AmendmentSignificance,
    DocumentKind,
    RatingLevel,
    SupplierNoticeKind,
)
from ratings.constants_authorization import RATING_CHANGE, UPGRADE_BASIS
from ratings.models import ChangeAgreement, ChangeAgreementStatus, RatedOrder, RatedOrderVersion, User
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.services import transition
from ratings.services.accounts import signing_basis
from ratings.services.orders import agreements, significance
from ratings.services.orders import clocks as order_clocks
from ratings.services.orders.amended_items import AmendedItem as AmendedItem
from ratings.services.orders.amended_items import clean_amended_items
from ratings.services.orders.authorized import check_within_authorization
from ratings.services.orders.issue import rated_order_version_create

AMEND = transition.Action(
    audit=audit_actions.ORDER_AMEND,
    permission=permissions.order_rule("amend"),
    transition="amend",
    done="change",
    signature=True,
)
CANCEL = transition.Action(
    audit=audit_actions.ORDER_CANCEL,
    permission=permissions.order_rule("cancel"),
    transition="cancel",
    done="change",
    signature=True,
)


def _supersede_current(order: RatedOrder, at: dt.datetime) -> RatedOrderVersion:
    current = order.versions.select_for_update(of=("self",), no_key=True).get(number=order.current_version)
    current.superseded, current.superseded_at = True, at
    current.save(update_fields=["superseded", "superseded_at"])
    order_clocks.close_clock(current, at)  # the clock (if any) moves to the new version
    return current


def _signing(order: RatedOrder, actor: User, *, cancel: bool) -> tuple[str, str]:
    """The meaning and authority printed under the signature: the placing party's written
    notice (45 CFR 101.36(a)(2)) or an official action of HHS (101.36(a)(1))."""
    if permissions_casework.is_placing_party(order, actor):
        meaning = SIGNATURE_MEANING_PLACING_CANCELLATION if cancel else SIGNATURE_MEANING_PLACING_AMENDMENT
        return meaning, f"For {order.placing_organization.legal_name}, which placed the order (45 CFR 101.36(a)(2))"
    delegation = signing_basis.signing_delegation(actor, order.level)
    return (SIGNATURE_MEANING_CANCELLATION if cancel else SIGNATURE_MEANING_APPROVAL), delegation


def _signed_change(
    action: transition.Action,
    order: RatedOrder,
    actor: User,
    apply: Callable[[RatedOrder], transition.Applied],
    *,
    expected_version: int | None,
    password: str,
    otp: str,
) -> RatedOrder:
    """An amendment or a cancellation is a signature on the order: the one transition path with
    the signer's re-authentication (21 CFR 11.200)."""
    return transition.perform(
        transition.ORDER,
        action,
        target=order,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )


def rated_order_amend(
    *,
    order: RatedOrder,
    actor: User,
    password: str,
    reason: str,
    items: list[AmendedItem],
    agreement: ChangeAgreement | None = None,
    expected_version: int | None = None,
    otp: str = "",
) -> RatedOrder:
    """The party that placed the order, or HHS, amends it (45 CFR 101.36(a)): a new signed
    version that keeps every split quantity, the old one superseded. The change is judged item
    by item and date by date (services.orders.significance); the new version prints it."""
    text = (reason or "").strip()

    def apply(locked: RatedOrder) -> transition.Applied:
        if not text:
            raise ValidationFailed("Give the reason for the amendment; the supplier will see it.", field="reason")
        current = locked.versions.get(number=locked.current_version)
        new_items = clean_amended_items(items, current.items_snapshot, extends=locked.parent)
        if locked.parent_id is None and permissions_casework.is_placing_party(locked, actor):
            check_within_authorization(locked, new_items)  # HHS's official action answers for itself
        # A change the supplier signed its agreement to is not a new rated order (101.36(d)).
        agreed = agreements.agreed_change_for(locked, agreement, new_items) if agreement else ""
        assessment = significance.assess_amendment(current.items_snapshot, new_items, agreed=bool(agreed))
        basis = f"{assessment.basis} ({agreed})" if agreed else assessment.basis
        now = timezone.now()
        meaning, delegation = _signing(locked, actor, cancel=False)
        _supersede_current(locked, now)
        number = locked.current_version + 1
        locked.amend(version_number=number, significant=assessment.significance == AmendmentSignificance.SIGNIFICANT)
        version = rated_order_version_create(
            order=locked,
            number=number,
            kind=DocumentKind.ORDER,
            items=new_items,
            signer=actor,
            delegation=delegation,
            at=now,
            meaning=meaning,
            notice=SupplierNoticeKind.AMENDED,
            reason=text,
            significance=assessment.significance,
            basis=basis,
            changes=assessment.changes,
        )
        order_clocks.inherit_clock(previous=current, version=version)
        if agreement is not None:
            ChangeAgreement.objects.filter(pk=agreement.pk).update(
                status=ChangeAgreementStatus.APPLIED, applied_in=version
            )
        return transition.Applied(
            reason=text,
            data={
                "version": number,
                "significance": assessment.significance,
                "basis": basis,
                "changes": assessment.changes,
                "agreement": agreement.pk if agreement else None,
                "fingerprint": version.fingerprint,
                "signature": {"meaning": meaning, "delegation": delegation},
            },
        )

    return _signed_change(AMEND, order, actor, apply, expected_version=expected_version, password=password, otp=otp)


def rated_order_cancel(
    *,
    order: RatedOrder,
    actor: User,
    password: str,
    reason: str,
    expected_version: int | None = None,
    otp: str = "",
) -> RatedOrder:
    """The party that placed the order, or HHS, cancels it (45 CFR 101.36(a), (e)): a signed
    cancellation notice becomes the order's last version, and every order extended from it is
    cancelled the same way (101.36(e)-(f))."""
    text = (reason or "").strip()

    def apply(locked: RatedOrder) -> transition.Applied:
        if not text:
            raise ValidationFailed("Give the reason for the cancellation; the supplier will see it.", field="reason")
        now = timezone.now()
        meaning, delegation = _signing(locked, actor, cancel=True)
        signing = Signing(actor=actor, meaning=meaning, delegation=delegation, at=now)
        version = _cancel_with_notice(locked, signing, text)
        cascaded = _cancel_descendants(root=locked, signing=signing, reason=text)
        return transition.Applied(
            reason=text,
            data={
                "version": version.number,
                "fingerprint": version.fingerprint,
                "descendants": [c.order.order_number for c in cascaded],
                "signature": {"meaning": meaning, "delegation": delegation},
            },
            then=lambda: record_cancelled(actor, cascaded),
        )

    return _signed_change(CANCEL, order, actor, apply, expected_version=expected_version, password=password, otp=otp)


@dataclass(frozen=True)
class Signing:
    """Who signs a cancellation notice, with which meaning and authority, and when."""

    actor: User
    meaning: str
    delegation: str
    at: dt.datetime


@dataclass(frozen=True)
class Cancelled:
    """An order a cascade cancelled: recorded in the audit trail once every row is written."""

    order: RatedOrder
    from_state: str
    reason: str
    version: RatedOrderVersion
    cascade_from: str


def _cancel_with_notice(order: RatedOrder, signing: Signing, reason: str) -> RatedOrderVersion:
    """Cancel a locked open order: its current version superseded, a signed cancellation notice
    as its new last version (the supplier is told through the outbox)."""
    current = _supersede_current(order, signing.at)
    number = order.current_version + 1
    order.cancel(at=signing.at, reason=reason)
    order.current_version = number
    order.save()  # the new version (and a cascade below it) refer to the cancelled order
    return rated_order_version_create(
        order=order,
        number=number,
        kind=DocumentKind.CANCELLATION,
        items=current.items_snapshot,
        signer=signing.actor,
        delegation=signing.delegation,
        at=signing.at,
        meaning=signing.meaning,
        notice=SupplierNoticeKind.CANCELLED,
        reason=reason,
    )


def _cancel_descendants(*, root: RatedOrder, signing: Signing, reason: str) -> list[Cancelled]:
    """45 CFR 101.36(e)-(f): a cancellation reaches every supplier the order reached. Each open
    order extended from `root` (flow-down, any depth) gets its own signed cancellation notice
    and one notice to its supplier's contacts; `record_cancelled` audits each."""
    cancelled: list[Cancelled] = []
    frontier = [root.pk]
    while frontier:
        children = list(
            RatedOrder.objects.select_for_update(of=("self",), no_key=True)
            .filter(parent_id__in=frontier)
            .order_by("pk")
        )
        frontier = [child.pk for child in children]
        for child in children:
            if child.status not in OPEN_ORDER_STATUSES:
                continue
            from_state = child.status
            text = f"Order {root.order_number} was cancelled, so this order extending its rating is cancelled: {reason}"
            version = _cancel_with_notice(child, signing, text)
            cancelled.append(Cancelled(child, from_state, text, version, root.order_number))
    return cancelled


def cancel_by_official_action(order: RatedOrder, *, signing: Signing, reason: str) -> list[Cancelled]:
    """HHS cancels a locked order (if still open) and every open order extended from it, each
    with its own signed cancellation notice to its supplier (45 CFR 101.36(a)(1), (f)): the
    path a revoked authorization takes for every order placed under it. The caller locked the
    order and records the result with `record_cancelled` after its last row lock."""
    cancelled: list[Cancelled] = []
    if order.status in OPEN_ORDER_STATUSES:
        from_state = order.status
        version = _cancel_with_notice(order, signing, reason)
        cancelled.append(Cancelled(order, from_state, reason, version, ""))
    return cancelled + _cancel_descendants(root=order, signing=signing, reason=reason)


def record_cancelled(actor: User, cancelled: list[Cancelled]) -> None:
    """One audit event per cancelled order, after every row lock (docs/architecture.md "Lock order")."""
    for row in cancelled:
        data = {"version": row.version.number, "fingerprint": row.version.fingerprint}
        if row.cascade_from:
            data["cascade_from"] = row.cascade_from
        audit.record(
            action=audit_actions.ORDER_CANCEL,
            actor=actor,
            target=row.order,
            reference=row.order.order_number,
            organization_id=row.order.placing_organization_id,
            from_state=row.from_state,
            to_state=row.order.status,
            reason=row.reason,
            data=data,
        )


def upgrade_by_official_action(order: RatedOrder, *, signing: Signing, rating: str, reason: str) -> RatedOrderVersion:
    """HHS raises a locked open order's rating from DO to DX (45 CFR 101.36(a)(1)): a signed
    amendment with the same items at the new rating. Items, quantities and dates are unchanged,
    so it is not a new rated order (101.36(c)): an answer already given stands and a running
    clock carries over; the supplier owes DX treatment from receipt (101.36(b), printed)."""
    current = _supersede_current(order, signing.at)
    number = order.current_version + 1
    before = order.rating
    order.level, order.rating = RatingLevel.DX, rating
    order.amend(version_number=number, significant=False)
    order.save()
    version = rated_order_version_create(
        order=order,
        number=number,
        kind=DocumentKind.ORDER,
        items=current.items_snapshot,
        signer=signing.actor,
        delegation=signing.delegation,
        at=signing.at,
        meaning=signing.meaning,
        notice=SupplierNoticeKind.AMENDED,
        reason=reason,
        significance=AmendmentSignificance.NOT_SIGNIFICANT,
        basis=UPGRADE_BASIS,
        changes=[
            significance.Change("All", RATING_CHANGE, before, rating, False, "45 CFR 101.36(b)").as_row()  # type: ignore[arg-type]
        ],
    )
    order_clocks.inherit_clock(previous=current, version=version)
    return version


def record_upgraded(actor: User, amended: list[tuple[RatedOrder, str, RatedOrderVersion]], *, reason: str) -> None:
    """One audit event per order an authorization's upgrade amended, after every row lock."""
    for order, from_state, version in amended:
        audit.record(
            action=audit_actions.ORDER_AMEND,
            actor=actor,
            target=order,
            reference=order.order_number,
            organization_id=order.placing_organization_id,
            from_state=from_state,
            to_state=order.status,
            reason=reason,
            data={
                "version": version.number,
                "significance": version.significance,
                "basis": version.significance_basis,
                "changes": version.changes,
                "fingerprint": version.fingerprint,
            },
        )
