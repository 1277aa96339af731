"""The HHS review clock of a rating request (target: settings.REVIEW_TARGET_WORKING_DAYS).

Rules (the issue says "target in working days, paused while information is requested"):
- Day 0 is the receipt day of the submission (deadlines.receipt_day: agency-local date, moved
  to the next working day when submitted on a weekend or holiday).
- A question pauses the clock from the working day after it is asked up to and including the
  working day it is answered (asked and answered the same day: no pause). Each closed pause
  moves the due day by its working days.
- While a question is open the clock stands still at the day it was asked.
- The clock runs in submitted, in review and recommended; it stops with the decision or a
  withdrawal (such requests are never overdue).
- Overdue: the as-of day (today, or the day an open question was asked) is after the due day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ratings.constants import REVIEW_CLOCK_STATES, RequestState
from ratings.deadlines import add_working_days, agency_time_zone, receipt_day, working_days_between
from ratings.models import InformationRequest, RatingRequest

CLOCKED_STATES = [*REVIEW_CLOCK_STATES, RequestState.INFO_REQUESTED]


@dataclass(frozen=True)
class ReviewClock:
    started_on: dt.date
    due_on: dt.date
    paused_working_days: int
    paused_since: dt.datetime | None
    elapsed_working_days: int
    overdue: bool


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(agency_time_zone()).date()


def review_clock(
    rating_request: RatingRequest,
    *,
    now: dt.datetime | None = None,
    questions: Iterable[InformationRequest] | None = None,
) -> ReviewClock | None:
    """The clock of one request, or None when no clock runs (draft, decided, withdrawn)."""
    if rating_request.submitted_at is None or rating_request.state not in CLOCKED_STATES:
        return None
    now = now or timezone.now()
    asked = list(questions if questions is not None else rating_request.information_requests.all())
    start = receipt_day(rating_request.submitted_at)
    paused = 0
    open_since: dt.datetime | None = None
    for question in sorted(asked, key=lambda q: q.asked_at):
        if question.responded_at is None:
            open_since = question.asked_at if open_since is None else open_since
            continue
        paused += working_days_between(_local_day(question.asked_at), _local_day(question.responded_at))
    due = add_working_days(start, settings.REVIEW_TARGET_WORKING_DAYS + paused)
    as_of = _local_day(open_since) if open_since is not None else _local_day(now)
    return ReviewClock(
        started_on=start,
        due_on=due,
        paused_working_days=paused,
        paused_since=open_since,
        elapsed_working_days=max(working_days_between(start, as_of) - paused, 0),
        overdue=as_of > due,
    )


def with_questions(queryset: QuerySet[RatingRequest]) -> QuerySet[RatingRequest]:
    # A plain lookup, so it combines with the admin's own prefetch of the same relation.
    return queryset.prefetch_related("information_requests")


def overdue_review_requests(
    queryset: QuerySet[RatingRequest] | None = None, *, now: dt.datetime | None = None
) -> QuerySet[RatingRequest]:
    """Requests whose review clock is past its target.

    Working days are at least calendar days, so only requests submitted more than the target
    in calendar days ago can be late: the database narrows to those, the calendar decides.
    """
    now = now or timezone.now()
    base = queryset if queryset is not None else RatingRequest.objects.all()
    candidates = with_questions(
        base.filter(
            state__in=CLOCKED_STATES,
            submitted_at__lte=now - dt.timedelta(days=settings.REVIEW_TARGET_WORKING_DAYS),
        )
    )
    late = [rr.pk for rr in candidates if (clock := review_clock(rr, now=now)) is not None and clock.overdue]
    return base.filter(pk__in=late)
