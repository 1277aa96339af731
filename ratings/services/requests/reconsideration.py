"""Reconsideration of a denial (15 CFR 700.80-700.81 model; the HRPAS numbering and period are
unconfirmed: settings.RECONSIDERATION_PERIOD_WORKING_DAYS). Within the period after the
decision the applicant asks, giving new information; an approving official other than the one
who decided (and than the reviewer) decides and signs (password and second factor, 21 CFR
11.200). Granted, the request goes back to review; upheld, the denial stands. Both steps are
audited under the request's reference."""

from __future__ import annotations

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions_casework
from ratings.clock import agency_time, reconsideration_due
from ratings.constants import NotificationKind, RequestState
from ratings.constants_assistance import SIGNATURE_MEANING_RECONSIDERATION, ReconsiderationOutcome
from ratings.models import RatingRequest, Reconsideration, User
from ratings.services import items, transition
from ratings.services.notifications.outbox import notify_many
from ratings.services.requests.notices import applicant_recipients, intake_analysts

ASK = transition.Action(
    audit=audit_actions.REQUEST_RECONSIDERATION_ASK,
    permission=permissions_casework.reconsideration_rule("ask"),
    states=[RequestState.DENIED],
    state_message="{noun} {reference} is {state}; only a denial can be reconsidered.",
)
DECIDE = transition.Action(
    audit=audit_actions.REQUEST_RECONSIDERATION_DECIDE,
    permission=permissions_casework.reconsideration_rule("decide"),
    states=[RequestState.DENIED],
    state_message="{noun} {reference} is {state}; there is no denial to reconsider.",
    signature=True,
)


def _notify(rating_request: RatingRequest, recipients: list[User], subject: str, lines: list[str], key: str) -> None:
    notify_many(
        recipients=recipients,
        kind=NotificationKind.REQUEST_DECISION,
        subject=f"{rating_request.reference}: {subject}",
        template="case_event",
        context={"headline": f"Request {rating_request.reference}: {subject}.", "lines": lines},
        key_prefix=f"reconsideration:{rating_request.pk}:{key}",
        target=rating_request,
    )


def rating_request_reconsideration_ask(*, rating_request: RatingRequest, actor: User, grounds: str) -> RatingRequest:
    """The applicant asks HHS to reconsider the denial, with new information."""

    def apply(locked: RatingRequest) -> transition.Applied:
        now = timezone.now()
        assert locked.decided_at is not None and locked.decided_by is not None  # a denied request was decided
        due = reconsideration_due(decided_at=locked.decided_at)
        if now > due:
            raise ValidationFailed(
                f"Reconsideration had to be asked for by {agency_time(due)}; that time has passed.", field="grounds"
            )
        text = items.clean_text(
            grounds, field="grounds", label="The new information", max_length=items.CASE_TEXT_MAX_LENGTH
        )
        if locked.reconsiderations.filter(outcome="").exists():
            raise ValidationFailed(
                "A reconsideration of this request is already waiting for a decision.", field="grounds"
            )
        asked = Reconsideration.objects.create(
            rating_request=locked, asked_by=actor, asked_at=now, grounds=text, original_decider=locked.decided_by
        )
        _notify(locked, intake_analysts(), "reconsideration of the denial asked for", [text], f"ask{asked.pk}")
        return transition.Applied(reason=text, data={"reconsideration": asked.pk, "due": due.isoformat()})

    return transition.perform(transition.REQUEST, ASK, target=rating_request, actor=actor, apply=apply)


def rating_request_reconsideration_decide(
    *,
    rating_request: RatingRequest,
    actor: User,
    outcome: str,
    reason: str,
    password: str = "",
    otp: str = "",
) -> RatingRequest:
    """Another approving official grants (the request is reviewed again) or upholds the denial."""

    def apply(locked: RatingRequest) -> transition.Applied:
        pending = locked.reconsiderations.filter(outcome="").first()
        if pending is None:
            raise ValidationFailed("Nobody asked for reconsideration of this request.", field="outcome")
        if outcome not in ReconsiderationOutcome.values:
            raise ValidationFailed("Choose whether the denial is set aside or upheld.", field="outcome")
        text = items.clean_text(reason, field="reason", label="The reasons", max_length=items.CASE_TEXT_MAX_LENGTH)
        meaning = SIGNATURE_MEANING_RECONSIDERATION[ReconsiderationOutcome(outcome)]
        Reconsideration.objects.filter(pk=pending.pk).update(
            outcome=outcome,
            decided_by=actor,
            decided_name=actor.printed_name,
            decided_at=timezone.now(),
            decision_reason=text,
            meaning=meaning,
        )
        if outcome == ReconsiderationOutcome.GRANTED:
            locked.reopen()
        _notify(
            locked,
            applicant_recipients(locked),
            ReconsiderationOutcome(outcome).label.lower(),
            [text],
            f"decide{pending.pk}",
        )
        return transition.Applied(
            reason=text,
            data={
                "reconsideration": pending.pk,
                "outcome": outcome,
                "signature": {"printed_name": actor.printed_name, "meaning": meaning},
            },
        )

    return transition.perform(
        transition.REQUEST, DECIDE, target=rating_request, actor=actor, apply=apply, password=password, otp=otp
    )
