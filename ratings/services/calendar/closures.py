"""Closure days: HHS administrators declare the days federal offices are closed by Executive
Order, and withdraw a declaration made in error. Every clock counts them as non-working
(ratings.clock); a change moves the due time of every supplier answer clock still running
across that day, so nobody loses a working day to a closure declared after their clock began."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import audit_actions, clock, permissions
from ratings.models import ClosureDay, RatedOrderVersion, User
from ratings.services import items, transition
from ratings.services.orders import clocks as order_clocks

CLOSURE: transition.Kind[ClosureDay] = transition.Kind(
    model=ClosureDay,
    noun="Closure day",
    reference=lambda closure: closure.day.isoformat(),
    organization_id=lambda closure: None,
    filed_under=lambda closure: "",
)
WITHDRAW = transition.Action(
    audit=audit_actions.CLOSURE_DAY_WITHDRAW,
    permission=permissions.closure_day_refusal,
)


def _moved_clocks(day: dt.date) -> list[str]:
    """Recompute the due time of every running answer clock whose window reaches `day`."""
    clock.forget_closure_days()
    transaction.on_commit(clock.forget_closure_days)
    running = RatedOrderVersion.objects.select_related("order").filter(
        received_at__isnull=False,
        clock_closed_at__isnull=True,
        superseded=False,
        order__emergency_response_hours__isnull=True,
        received_at__lt=clock.end_of_day(day),
        response_due_at__gte=clock.start_of_day(day),
    )
    moved = []
    for version in running:
        assert version.received_at is not None
        due = order_clocks.response_due_for(version.order, version.received_at)
        if due != version.response_due_at:
            RatedOrderVersion.objects.filter(pk=version.pk).update(response_due_at=due)
            moved.append(f"{version.order.order_number} v{version.number}")
    return moved


def closure_day_declare(*, actor: User, day: dt.date | str, reason: str) -> ClosureDay:
    """Declare `day` a closure day: no clock counts it as a working day."""
    text = (reason or "").strip()

    def apply() -> ClosureDay:
        date = items.parse_date(day, field="day", label="closure day")
        if not text:
            raise ValidationFailed("Name the order that closes federal offices that day.", field="reason")
        if date.weekday() >= 5 or not clock.is_working_day(date):
            raise ValidationFailed(f"{date.isoformat()} is already not a working day.", field="day")
        closure = ClosureDay.objects.create(day=date, reason=text, declared_by=actor, declared_at=timezone.now())
        moved = _moved_clocks(date)
        audit.record(
            action=audit_actions.CLOSURE_DAY_DECLARE,
            actor=actor,
            target=closure,
            reason=text,
            changes={"day": [None, date.isoformat()]},
            data={"moved_clocks": moved},
        )
        return closure

    return transition.perform_create(
        audit_actions.CLOSURE_DAY_DECLARE,
        actor=actor,
        refusal=permissions.closure_day_refusal(None, actor),
        apply=apply,
    )


def closure_day_withdraw(*, closure: ClosureDay, actor: User, reason: str) -> ClosureDay:
    """The day is a working day again (declared in error, or the order was rescinded)."""
    text = (reason or "").strip()

    def apply(locked: ClosureDay) -> transition.Applied:
        if not locked.is_active:
            raise InvalidState(f"The closure of {locked.day.isoformat()} was already withdrawn.")
        if not text:
            raise ValidationFailed("Say why the day is a working day after all.", field="reason")
        locked.is_active, locked.withdrawn_at, locked.withdrawn_by = False, timezone.now(), actor
        locked.withdrawal_reason = text
        locked.save(update_fields=["is_active", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        moved = _moved_clocks(locked.day)
        return transition.Applied(
            reason=text,
            changes={"is_active": [True, False]},
            data={"day": locked.day.isoformat(), "moved_clocks": moved},
        )

    return transition.perform(CLOSURE, WITHDRAW, target=closure, actor=actor, apply=apply)
