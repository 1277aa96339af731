"""Supplier responses to rated orders (15 CFR 700.13; 45 CFR 101.33).

Every response runs along the one transition path (services.transition) and leaves a signed
SupplierResponse (printed name, UTC time, meaning; 21 CFR 11.50) bound to the version's
fingerprint (11.70), one audit event, and notices to whoever placed the order and HHS intake.

Decisions:
- A delay notice is a record, not a state: the order stays accepted (a supplier may notify
  several delays). Given in writing through the portal it needs no confirmation; a delay the
  supplier reported outside the portal (by phone, in a meeting) is recorded by the customer or
  HHS and opens the DELAY_CONFIRMATION_WORKING_DAYS clock, which the supplier's written
  confirmation closes (15 CFR 700.13(d)).
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
    INTERFERENCE_REASON_LEVELS,
    REASONS_WITH_EARLIEST_DATE_OFFER,
    REJECTION_REASON_CITATIONS,
    SUPPLIER_RESPONSE_MEANINGS,
    OrderStatus,
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
RECORD_DELAY = _action("record_delay", "take a delay report", states=[OrderStatus.ACCEPTED, OrderStatus.FULFILLED])
CONFIRM_DELAY = _action(
    "confirm_delay", "take a delay confirmation", states=[OrderStatus.ACCEPTED, OrderStatus.FULFILLED]
)
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


def _check_rejection(
    order: RatedOrder, reason_code: str, text: str, earliest_date: object, offers: bool, conflicting_level: str
) -> tuple[dt.date | None, str]:
    """The parts 15 CFR 700.13(b)-(d) require of a rejection; returns (earliest date, conflicting level)."""
    if reason_code not in RejectionReason.values:
        raise ValidationFailed("Choose the reason for rejecting the order from the list.", field="reason_code")
    citation = REJECTION_REASON_CITATIONS[reason_code]
    order_level, conflicting_levels = INTERFERENCE_REASON_LEVELS.get(reason_code, (order.level, frozenset()))
    if order_level != order.level:
        raise ValidationFailed(
            f"“{RejectionReason(reason_code).label}” applies to {order_level} orders; this is a "
            f"{order.level} order ({citation}).",
            field="reason_code",
        )
    if not text:
        raise ValidationFailed("Explain in writing why the order is rejected (15 CFR 700.13(d)).", field="explanation")
    if reason_code not in REASONS_WITH_EARLIEST_DATE_OFFER:
        return None, ""
    interference = reason_code in INTERFERENCE_REASON_LEVELS
    label = "earliest delivery date otherwise possible" if interference else "earliest date you can deliver"
    earliest = _date_after_today(earliest_date, field="earliest_date", label=label)
    if not offers:
        raise ValidationFailed(
            f"Offer to accept the order on the basis of the {label}: the rule requires the offer ({citation}).",
            field="offers_to_accept",
        )
    if not interference:
        return earliest, ""
    if conflicting_level not in conflicting_levels:
        allowed = " or ".join(sorted(conflicting_levels))
        raise ValidationFailed(
            f"Give the level of the accepted rated order this one would interfere with ({allowed}; {citation}).",
            field="conflicting_level",
        )
    return earliest, conflicting_level


def rated_order_reject(
    *,
    order: RatedOrder,
    actor: User,
    reason_code: str,
    explanation: str,
    earliest_date: dt.date | str | None = None,
    offers_to_accept: bool = False,
    conflicting_level: str = "",
    expected_version: int | None = None,
) -> RatedOrder:
    """Rejection with its reason and written reasons (15 CFR 700.13(b)-(d)). A mandatory reason
    carries the earliest date (otherwise) possible and the offer to accept on it; an interference
    reason also the level of the accepted order it would interfere with."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        text = (explanation or "").strip()
        earliest, level = _check_rejection(
            locked, reason_code, text, earliest_date, bool(offers_to_accept), conflicting_level or ""
        )
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
            offers_to_accept_on_that_basis=earliest is not None,
            conflicting_level=level,
        )
        return response, {
            "reason_code": reason_code,
            "citation": REJECTION_REASON_CITATIONS[reason_code],
            "earliest_date": earliest.isoformat() if earliest else None,
            "offers_to_accept": response.offers_to_accept_on_that_basis,
            "conflicting_level": level,
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
    """After acceptance, a delay is notified with reasons and a new date (15 CFR 700.13(d)).
    Given in writing here, it needs no further confirmation."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        text, day = _delay_parts(reasons, new_date)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.DELAY,
            at=now,
            explanation=text,
            new_date=day,
        )
        return response, {"new_date": day.isoformat(), "in_writing": True}

    return _respond(
        order=order,
        actor=actor,
        action=NOTIFY_DELAY,
        expected_version=expected_version,
        apply=apply,
    )


def _delay_parts(reasons: str, new_date: object) -> tuple[str, dt.date]:
    text = (reasons or "").strip()
    if not text:
        raise ValidationFailed("Give the reasons for the delay.", field="reasons")
    return text, _date_after_today(new_date, field="new_date", label="new delivery date")


def rated_order_record_delay_report(
    *,
    order: RatedOrder,
    actor: User,
    reasons: str,
    new_date: dt.date | str,
    channel: str,
    expected_version: int | None = None,
) -> RatedOrder:
    """The customer or HHS records a delay the supplier reported outside the portal; the
    supplier's written confirmation is then due within DELAY_CONFIRMATION_WORKING_DAYS."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        text, day = _delay_parts(reasons, new_date)
        how = (channel or "").strip()
        if not how:
            raise ValidationFailed("Say how the supplier reported the delay (e.g. phone call).", field="channel")
        due = delay_confirmation_due(notified_at=now)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.DELAY_REPORTED,
            at=now,
            explanation=text,
            new_date=day,
            channel=how[:100],
            confirmation_due=due,
        )
        order_notices.notify_delay_confirmation_due(order=locked, report=response)
        return response, {"new_date": day.isoformat(), "channel": how[:100], "confirmation_due": due.isoformat()}

    return _respond(order=order, actor=actor, action=RECORD_DELAY, expected_version=expected_version, apply=apply)


def rated_order_confirm_delay(
    *,
    order: RatedOrder,
    actor: User,
    report: SupplierResponse,
    reasons: str,
    new_date: dt.date | str,
    expected_version: int | None = None,
) -> RatedOrder:
    """The supplier confirms in writing a delay it reported outside the portal: the
    confirmation clock closes (marked late after its due time)."""

    def apply(
        locked: RatedOrder, version: RatedOrderVersion, now: dt.datetime
    ) -> tuple[SupplierResponse, dict[str, Any]]:
        reported = SupplierResponse.objects.filter(
            pk=report.pk, order=locked, kind=SupplierResponseKind.DELAY_REPORTED
        ).first()
        if reported is None:
            raise ValidationFailed("Choose a delay report of this order to confirm.", field="report")
        if SupplierResponse.objects.filter(confirms=reported).exists():
            raise ValidationFailed("That delay report is already confirmed in writing.", field="report")
        text, day = _delay_parts(reasons, new_date)
        response = _record(
            order=locked,
            version=version,
            actor=actor,
            kind=SupplierResponseKind.DELAY_CONFIRMED,
            at=now,
            explanation=text,
            new_date=day,
            confirms_id=reported.pk,
        )
        late = reported.confirmation_due is not None and now > reported.confirmation_due
        if late:
            SupplierResponse.objects.filter(pk=response.pk).update(late=True)
            response.late = True
        return response, {"new_date": day.isoformat(), "confirms": reported.pk, "late_confirmation": late}

    return _respond(order=order, actor=actor, action=CONFIRM_DELAY, expected_version=expected_version, apply=apply)


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
