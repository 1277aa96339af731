"""Special priorities assistance cases (15 CFR 700.50-700.55; Commerce's form is BIS-999).

The placing party opens a case from a rated order it placed (rejected, unanswered past its due
time, late, conflicting, or refused), saying how urgent it is, what it tried, the impact of
delay and the dates it needs. HHS intake takes it in and names a case officer, who asks either
party questions, records the actions taken and closes the case with its outcome (agreement,
directive issued, rescheduled, denied). The target response time runs from the opening
(settings.ASSISTANCE_TARGET_WORKING_DAYS). Every step is an entry of the case's timeline, one
audit event filed under the case reference, and notices to whoever must know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions, permissions_casework
from ratings.clock import agency_today, assistance_target_due
from ratings.constants_assistance import (
    AssistanceEntryKind,
    AssistanceOutcome,
    AssistanceParty,
    AssistanceProblem,
    AssistanceStatus,
    AssistanceUrgency,
)
from ratings.models import AssistanceCase, AssistanceEntry, RatedOrder, User
from ratings.selectors import assistance as assistance_selectors
from ratings.services import items, transition
from ratings.services.assistance import notices
from ratings.services.references import reference_allocate

CASE: transition.Kind[AssistanceCase] = transition.Kind(
    model=AssistanceCase,
    noun="Case",
    reference=lambda case: case.reference,
    organization_id=lambda case: case.organization_id,
    state_field="status",
    version_field="version",
    bump_version=True,
    audited_fields=("status", "case_officer_id", "outcome", "outcome_reason", "closed_at"),
    stale_message="This case was changed by someone else; reload the page and try again.",
)


def _action(name: str, done: str, *, fsm: str | None = None, open_only: bool = False) -> transition.Action:
    return transition.Action(
        audit=getattr(audit_actions, f"ASSISTANCE_{name.upper()}"),
        permission=permissions_casework.assistance_rule(name),
        transition=fsm,
        states=[AssistanceStatus.IN_PROGRESS] if open_only else None,
        done=done,
    )


TAKE = _action("take", "be taken in", fsm="take")
ASK = _action("ask", "take a question", open_only=True)
ANSWER = _action("answer", "take an answer", open_only=True)
RECORD_ACTION = _action("record_action", "take an action", open_only=True)
CLOSE = _action("close", "be closed", fsm="close")


def entry_add(case: AssistanceCase, kind: str, actor: User, text: str = "", addressed_to: str = "") -> AssistanceEntry:
    """One step of the timeline (inside the step's transaction)."""
    return AssistanceEntry.objects.create(
        case=case,
        kind=kind,
        author=actor,
        printed_name=actor.printed_name,
        at=timezone.now(),
        text=text,
        addressed_to=addressed_to,
    )


def _text(value: str, *, field: str, message: str) -> str:
    if not str(value or "").strip():
        raise ValidationFailed(message, field=field)
    return items.clean_text(value, field=field, label="The text", max_length=items.CASE_TEXT_MAX_LENGTH)


def _needed_dates(values: Sequence[dt.date | str]) -> list[str]:
    dates = [items.parse_date(v, field="needed_dates", label="date you need", earliest=agency_today()) for v in values]
    if not dates:
        raise ValidationFailed("Give the delivery date(s) you need (YYYY-MM-DD).", field="needed_dates")
    return sorted({d.isoformat() for d in dates})


def assistance_case_open(
    *,
    order: RatedOrder,
    actor: User,
    problem: str,
    urgency: str,
    tried: str,
    impact: str,
    needed_dates: Sequence[dt.date | str],
) -> AssistanceCase:
    """The placing party asks HHS for special priorities assistance with one of its orders."""

    def apply() -> AssistanceCase:
        if problem not in assistance_selectors.problems_for(order):
            allowed = ", ".join(AssistanceProblem(p).label.lower() for p in assistance_selectors.problems_for(order))
            raise ValidationFailed(
                f"Choose a problem the order shows now ({allowed or 'none: the order is closed'}).", field="problem"
            )
        if urgency not in AssistanceUrgency.values:
            raise ValidationFailed("Choose how urgent the help is.", field="urgency")
        tried_text = _text(tried, field="tried", message="Say what you already tried with the supplier.")
        impact_text = _text(impact, field="impact", message="Say what a delay would do to the program.")
        dates = _needed_dates(needed_dates)
        if assistance_selectors.open_case(order) is not None:
            raise ValidationFailed("An assistance case about this order is already open.", field="problem")
        now = timezone.now()
        case = AssistanceCase.objects.create(
            reference=f"SPA-{now.year}-{reference_allocate(kind='assistance', year=now.year):05d}",
            order=order,
            organization_id=order.placing_organization_id,
            opened_by=actor,
            opened_at=now,
            problem=problem,
            urgency=urgency,
            tried=tried_text,
            impact=impact_text,
            needed_dates=dates,
            target_due_at=assistance_target_due(opened_at=now),
        )
        entry = entry_add(case, AssistanceEntryKind.OPENED, actor, f"{case.get_problem_display()}. {impact_text}")
        audit.record(
            action=audit_actions.ASSISTANCE_OPEN,
            actor=actor,
            target=case,
            reference=case.reference,
            organization_id=case.organization_id,
            to_state=case.status,
            reason=impact_text,
            data={
                "order": order.order_number,
                "problem": problem,
                "urgency": urgency,
                "needed_dates": dates,
                "target_due_at": case.target_due_at.isoformat(),
            },
        )
        notices.notify_opened(case, entry)
        return case

    return transition.perform_create(
        audit_actions.ASSISTANCE_OPEN,
        actor=actor,
        refusal=permissions.order_refusal("open_assistance", order, actor),
        organization_id=order.placing_organization_id,
        target=order,
        apply=apply,
    )


def assistance_case_take(
    *, case: AssistanceCase, actor: User, case_officer: User, expected_version: int | None = None
) -> AssistanceCase:
    """HHS intake takes the case in and names its case officer."""

    def apply(locked: AssistanceCase) -> transition.Applied:
        refusal = permissions_casework.case_officer_refusal(locked, case_officer)
        if refusal:
            raise ValidationFailed(
                f"{case_officer.printed_name} cannot be the case officer: {refusal}", field="case_officer"
            )
        locked.take()
        locked.case_officer = case_officer
        entry = entry_add(locked, AssistanceEntryKind.TAKEN, actor, f"Case officer: {case_officer.printed_name}.")
        notices.notify_parties(locked, entry, "HHS took your case in")
        return transition.Applied(data={"case_officer": case_officer.get_username(), "entry": entry.pk})

    return transition.perform(CASE, TAKE, target=case, actor=actor, apply=apply, expected_version=expected_version)


def assistance_case_ask(
    *, case: AssistanceCase, actor: User, party: str, question: str, expected_version: int | None = None
) -> AssistanceCase:
    """The case officer asks the placing party or the supplier a question."""

    def apply(locked: AssistanceCase) -> transition.Applied:
        if party not in AssistanceParty.values:
            raise ValidationFailed("Choose whom to ask: the placing party or the supplier.", field="party")
        text = _text(question, field="question", message="Write the question.")
        entry = entry_add(locked, AssistanceEntryKind.QUESTION, actor, text, addressed_to=party)
        notices.notify_question(locked, entry)
        return transition.Applied(reason=text, data={"party": party, "entry": entry.pk})

    return transition.perform(CASE, ASK, target=case, actor=actor, apply=apply, expected_version=expected_version)


def assistance_case_answer(*, case: AssistanceCase, actor: User, answer: str) -> AssistanceCase:
    """A party answers HHS (no version check: answers never conflict with each other)."""

    def apply(locked: AssistanceCase) -> transition.Applied:
        text = _text(answer, field="answer", message="Write your answer.")
        entry = entry_add(locked, AssistanceEntryKind.ANSWER, actor, text)
        notices.notify_officer(locked, entry)
        return transition.Applied(reason=text, data={"entry": entry.pk})

    return transition.perform(CASE, ANSWER, target=case, actor=actor, apply=apply)


def assistance_case_record_action(
    *, case: AssistanceCase, actor: User, action: str, expected_version: int | None = None
) -> AssistanceCase:
    """The case officer records an action taken (a call with the supplier, a reschedule agreed)."""

    def apply(locked: AssistanceCase) -> transition.Applied:
        text = _text(action, field="action", message="Say what was done.")
        entry = entry_add(locked, AssistanceEntryKind.ACTION, actor, text)
        notices.notify_parties(locked, entry, "HHS recorded an action")
        return transition.Applied(reason=text, data={"entry": entry.pk})

    return transition.perform(
        CASE, RECORD_ACTION, target=case, actor=actor, apply=apply, expected_version=expected_version
    )


def assistance_case_close(
    *, case: AssistanceCase, actor: User, outcome: str, reason: str, expected_version: int | None = None
) -> AssistanceCase:
    """The case officer closes the case with its outcome; a "directive issued" outcome needs one."""

    def apply(locked: AssistanceCase) -> transition.Applied:
        if outcome not in AssistanceOutcome.values:
            raise ValidationFailed("Choose the outcome.", field="outcome")
        text = _text(reason, field="reason", message="Explain the outcome to the parties.")
        if outcome == AssistanceOutcome.DIRECTIVE and not locked.directives.exists():
            raise ValidationFailed("No directive was issued in this case: issue it first.", field="outcome")
        locked.close()
        locked.outcome, locked.outcome_reason = outcome, text
        locked.closed_at, locked.closed_by = timezone.now(), actor
        entry = entry_add(locked, AssistanceEntryKind.CLOSED, actor, f"{AssistanceOutcome(outcome).label}. {text}")
        notices.notify_parties(locked, entry, f"case closed: {AssistanceOutcome(outcome).label.lower()}")
        return transition.Applied(reason=text, data={"outcome": outcome, "entry": entry.pk})

    return transition.perform(CASE, CLOSE, target=case, actor=actor, apply=apply, expected_version=expected_version)
