"""Supplier responses to rated orders (15 CFR 700.13; 45 CFR 101.33).

Every response runs along the one transition path (services.transition) and leaves a signed
SupplierResponse (printed name, UTC time, meaning; 21 CFR 11.50) bound to the version's
fingerprint (11.70), one audit event, and notices to whoever placed the order and HHS intake.

Decisions:
- A delay notice is a record, not a state: the order stays accepted (a supplier may notify
  several delays); its written confirmation is due DELAY_CONFIRMATION_WORKING_DAYS later.
- The supplier signs a response by acting in its authenticated session (no password re-entry);
  a flow-down order is a rated-order signature and re-checks the password (services.suppliers.flowdown).
- Answers after the due time are still taken (the duty to answer remains) and marked `late`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection
from typing import Any

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.clock import agency_today, delay_confirmation_due
from ratings.constants import (
    SUPPLIER_RESPONSE_MEANINGS,
    OrderStatus,
    RatingLevel,
    RejectionReason,
    SupplierResponseKind,
)
from ratings.models import RatedOrder, RatedOrderVersion, SupplierResponse, User
from ratings.services import items, transition
from ratings.services.orders import clocks as order_clocks
from ratings.services.orders import notices as order_notices


def _action(
    name: str, done: str, *, fsm: str | None = None, states: Collection[str] | None = None
) -> transition.Action:
    return transition.Action(
        audit=getattr(audit_actions, f"ORDER_{name.upper()}"),
        permission=permissions.order_rule(name),
        transition=fsm,
        states=states,
        done=done,
    )


ACCEPT = _action("accept", "be accepted", fsm="accept")
REJECT = _action("reject", "be rejected", fsm="reject")
NOTIFY_DELAY = _action("notify_delay", "take a delay notice", states=[OrderStatus.ACCEPTED])
MARK_FULFILLED = _action("mark_fulfilled", "be marked fulfilled", fsm="fulfil")


def _date_after_today(value: object, *, field: str, label: str) -> dt.date:
    """The supplier's earliest possible or new date: a calendar date after today (agency time zone)."""
    return items.parse_date(value, field=field, label=label, earliest=agency_today() + dt.timedelta(days=1))


def _content_sha256(version: RatedOrderVersion, values: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"order_fingerprint": version.fingerprint, **values}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- the shared path -----------------------------------------------------------------------


def _respond(
    *,
    order: RatedOrder,
    actor: User,
    action: transition.Action,
    expected_version: int | None,
    apply: Callable[[RatedOrder, RatedOrderVersion, dt.datetime], tuple[SupplierResponse, dict[str, Any]]],
) -> RatedOrder:
    def applied(locked: RatedOrder) -> transition.Applied:
        version = RatedOrderVersion.objects.select_for_update(of=("self",), no_key=True).get(
            order=locked, number=locked.current_version
        )
        response, data = apply(locked, version, timezone.now())
        order_notices.notify_response(order=locked, response=response)
        return transition.Applied(
            reason=response.explanation,
            organization_id=locked.supplier_id,
            data={
                "version": version.number,
                "response_id": response.pk,
                "signature": {"printed_name": response.printed_name, "meaning": response.meaning},
                "content_sha256": response.content_sha256,
                "late": response.late,
                **data,
            },
        )

    return transition.perform(
        transition.ORDER, action, target=order, actor=actor, apply=applied, expected_version=expected_version
    )


def _record(
    *, order: RatedOrder, version: RatedOrderVersion, actor: User, kind: str, at: dt.datetime, **values: Any
) -> SupplierResponse:
    meaning = SUPPLIER_RESPONSE_MEANINGS[SupplierResponseKind(kind)]
    late = version.response_due_at is not None and at > version.response_due_at and kind in ("accept", "reject")
    signed = {"kind": kind, "responder": actor.pk, "printed_name": actor.printed_name, "at": at.isoformat(), **values}
    return SupplierResponse.objects.create(
        order=order,
        version=version,
        kind=kind,
        responder=actor,
        printed_name=actor.printed_name,
        title=actor.title,
        responded_at=at,
        meaning=meaning,
        late=late,
        content_sha256=_content_sha256(version, {**signed, "meaning": meaning}),
        **values,
    )


# --- the contract --------------------------------------------------------------------------


def rated_order_accept(*, order: RatedOrder, actor: User, expected_version: int | None = None) -> RatedOrder:
    """The supplier accepts the current version (15 CFR 700.13(d)); its clock stops."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        locked.accept()
        order_clocks.close_clock(version, now)
        return _record(order=locked, version=version, actor=actor, kind=SupplierResponseKind.ACCEPT, at=now), {}

    return _respond(
        order=order,
        actor=actor,
        action=ACCEPT,
        expected_version=expected_version,
        apply=apply,
    )


# 15 CFR 700.13(c)(1)-(2): interference is a mandatory reason only for the level it names.
LEVEL_OF_INTERFERENCE_REASON: dict[str, str] = {
    RejectionReason.INTERFERES_WITH_DO_DX: RatingLevel.DO,
    RejectionReason.INTERFERES_WITH_DX: RatingLevel.DX,
}


def rated_order_reject(
    *,
    order: RatedOrder,
    actor: User,
    reason_code: str,
    explanation: str,
    earliest_date: dt.date | str | None = None,
    offers_to_accept: bool = False,
    expected_version: int | None = None,
) -> RatedOrder:
    """Rejection with a mandatory or optional reason and written reasons (15 CFR 700.13(b),(c))."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        if reason_code not in RejectionReason.values:
            raise ValidationFailed("Choose the reason for rejecting the order from the list.", field="reason_code")
        text = (explanation or "").strip()
        if not text:
            raise ValidationFailed("Explain in writing why the order is rejected.", field="explanation")
        expected_level = LEVEL_OF_INTERFERENCE_REASON.get(reason_code)
        if expected_level and locked.level != expected_level:
            raise ValidationFailed(
                f"“{RejectionReason(reason_code).label}” applies to {expected_level} orders; this is a "
                f"{locked.level} order (15 CFR 700.13(c)).",
                field="reason_code",
            )
        earliest = None
        if reason_code == RejectionReason.CANNOT_MEET_DATE:
            earliest = _date_after_today(earliest_date, field="earliest_date", label="earliest date you can meet")
        locked.reject()
        order_clocks.close_clock(version, now)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.REJECT,
            at=now,
            reason_code=reason_code,
            explanation=text,
            earliest_date=earliest,
            offers_to_accept_on_that_basis=bool(offers_to_accept) if earliest else False,
        )
        return response, {
            "reason_code": reason_code,
            "earliest_date": earliest.isoformat() if earliest else None,
            "offers_to_accept": response.offers_to_accept_on_that_basis,
        }

    return _respond(
        order=order,
        actor=actor,
        action=REJECT,
        expected_version=expected_version,
        apply=apply,
    )


def rated_order_notify_delay(
    *, order: RatedOrder, actor: User, reasons: str, new_date: dt.date | str, expected_version: int | None = None
) -> RatedOrder:
    """After acceptance, a delay is notified with reasons and a new date (15 CFR 700.13(d)(3))."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        text = (reasons or "").strip()
        if not text:
            raise ValidationFailed("Give the reasons for the delay.", field="reasons")
        day = _date_after_today(new_date, field="new_date", label="new delivery date")
        due = delay_confirmation_due(notified_at=now)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.DELAY,
            at=now,
            explanation=text,
            new_date=day,
            confirmation_due=due,
        )
        return response, {"new_date": day.isoformat(), "confirmation_due": due.isoformat()}

    return _respond(
        order=order,
        actor=actor,
        action=NOTIFY_DELAY,
        expected_version=expected_version,
        apply=apply,
    )


def rated_order_mark_fulfilled(*, order: RatedOrder, actor: User, expected_version: int | None = None) -> RatedOrder:
    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        locked.fulfil()
        return _record(order=locked, version=version, actor=actor, kind=SupplierResponseKind.FULFILLED, at=now), {}

    return _respond(
        order=order,
        actor=actor,
        action=MARK_FULFILLED,
        expected_version=expected_version,
        apply=apply,
    )
