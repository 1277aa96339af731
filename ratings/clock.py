"""Every clock of the product: working days, the agency's day, and the clocks built on them.

Working days skip Saturdays, Sundays, U.S. federal holidays with their observed dates (a
Saturday holiday is observed on Friday, a Sunday one on Monday; the maintained `holidays`
package) and the closure days HHS administrators declare (federal offices closed by Executive
Order: `ClosureDay` rows). Every clock goes through `is_working_day`/`add_working_days`: the
supplier's answer (15 CFR 700.13(d)(1); 45 CFR 101.33), delay confirmations, reminders,
assistance cases and HHS's review target. Pure computation but for one read: the declared
closure days, loaded at most once per CLOSURE_DAYS_REFRESH_SECONDS per process (and at once
after a change in this process, `forget_closure_days`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from django.apps import apps
from django.conf import settings
from django.utils import dateformat, timezone

from ratings.constants import REVIEW_CLOCK_STATES, RequestState

if TYPE_CHECKING:
    from ratings.models import InformationRequest, RatingRequest, RequestSubmission


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[dt.date]:
    # Neighbouring years too: New Year's Day on a Saturday is observed on December 31.
    calendar = holidays.country_holidays("US", years=[year - 1, year, year + 1], observed=True)
    return frozenset(day for day in calendar if day.year == year)


class _ClosureMemo:
    """The declared closure days this process last read, and when (monotonic seconds)."""

    days: frozenset[dt.date] = frozenset()
    read_at: float | None = None


def closure_days() -> frozenset[dt.date]:
    """The declared closure days in force (withdrawn ones excluded)."""
    now = time.monotonic()
    if _ClosureMemo.read_at is None or now - _ClosureMemo.read_at >= settings.CLOSURE_DAYS_REFRESH_SECONDS:
        closure = apps.get_model("ratings", "ClosureDay")
        _ClosureMemo.days = frozenset(closure.objects.filter(is_active=True).values_list("day", flat=True))
        _ClosureMemo.read_at = now
    return _ClosureMemo.days


def forget_closure_days() -> None:
    """The next clock reads the declared closure days again (after a change)."""
    _ClosureMemo.read_at = None


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year) and day not in closure_days()


def add_working_days(day: dt.date, n: int) -> dt.date:
    """`day` plus `n` working days (n >= 0). With n == 0, `day` itself."""
    if n < 0:
        raise ValueError("n must be zero or more working days")
    current = day
    remaining = n
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


# --- Clocks built on add_working_days -------------------------------------------------------
#
# Receipt-day rule ("within N working days after receipt", 15 CFR 700.13(d)(1)):
# - The receipt day is the calendar date of receipt in the agency's time zone
#   (settings.AGENCY_TIME_ZONE, default America/New_York); every stored time stays UTC.
# - The receipt day is day 0 whatever day it is; day 1 is the first working day after it. So an
#   order received on a Saturday, a Sunday, a holiday or a closure day is due the same day as one
#   received on the working day before, and the supplier always has N full working days.
# - The answer is due by the end of the due day (23:59:59 agency time), stored in UTC.
# - Emergency orders (45 CFR 101.33) carry their own limit in hours: due = receipt + hours,
#   calendar hours, weekends and holidays included.


def agency_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.AGENCY_TIME_ZONE)


def local_day(moment: dt.datetime) -> dt.date:
    """The agency-local calendar date of a moment."""
    return moment.astimezone(agency_time_zone()).date()


def agency_today() -> dt.date:
    return local_day(timezone.now())


def subtract_working_days(day: dt.date, n: int) -> dt.date:
    """`day` minus `n` working days (n >= 0). With n == 0, `day` itself."""
    if n < 0:
        raise ValueError("n must be zero or more working days")
    current = day
    remaining = n
    while remaining:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def receipt_day(received_at: dt.datetime) -> dt.date:
    """Day 0 of a working-day clock: the agency-local date of receipt, whatever day that is."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    return received_at.astimezone(agency_time_zone()).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the agency's time zone, as a UTC datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=agency_time_zone()).astimezone(dt.UTC)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of `day` in the agency's time zone, as a UTC datetime."""
    local = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=agency_time_zone())
    return local.astimezone(dt.UTC)


def working_days_due(received_at: dt.datetime, n: int) -> dt.datetime:
    """Due time of an n-working-day clock started at `received_at` (rules above)."""
    return end_of_day(add_working_days(receipt_day(received_at), n))


def supplier_response_due(*, received_at: dt.datetime, level: str, emergency_hours: int | None = None) -> dt.datetime:
    """When the supplier must accept or reject (15 CFR 700.13(d); 45 CFR 101.33 emergencies)."""
    if emergency_hours is not None:
        if emergency_hours < 1:
            raise ValueError("An emergency limit is at least one hour")
        return received_at.astimezone(dt.UTC) + dt.timedelta(hours=emergency_hours)
    try:
        days = settings.SUPPLIER_RESPONSE_WORKING_DAYS[level]
    except KeyError:
        raise ValueError(f"No supplier response deadline is configured for level {level!r}") from None
    return working_days_due(received_at, days)


def delay_confirmation_due(*, notified_at: dt.datetime) -> dt.datetime:
    """Written confirmation of a delay notice not given in writing (15 CFR 700.13(d))."""
    return working_days_due(notified_at, settings.DELAY_CONFIRMATION_WORKING_DAYS)


def assistance_target_due(*, opened_at: dt.datetime) -> dt.datetime:
    """HHS's target for a response to a special priorities assistance case."""
    return working_days_due(opened_at, settings.ASSISTANCE_TARGET_WORKING_DAYS)


def reconsideration_due(*, decided_at: dt.datetime) -> dt.datetime:
    """The last moment an applicant may ask for reconsideration of a decision."""
    return working_days_due(decided_at, settings.RECONSIDERATION_PERIOD_WORKING_DAYS)


def reminder_days(due_at: dt.datetime) -> list[tuple[int, dt.date]]:
    """(offset, agency-local day) of each reminder before a due time, largest offset first.

    Offsets come from settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS; the periodic task skips
    reminder days already past when the clock starts.
    """
    due_day = due_at.astimezone(agency_time_zone()).date()
    offsets = sorted({int(n) for n in settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS}, reverse=True)
    return [(n, subtract_working_days(due_day, n)) for n in offsets]


def reminder_window_end(now: dt.datetime, offset: int) -> dt.datetime:
    """Supplier clocks due before this time are inside the reminder window of `offset`."""
    day = local_day(now)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return start_of_day(add_working_days(day, offset + 1))


# --- The supplier's answer clock, as the supplier reads it -----------------------------------


@dataclass(frozen=True)
class AnswerClock:
    """The answer clock of an order's current version."""

    due_at: dt.datetime | None
    due_day: dt.date | None
    days_left: int | None  # working days left; None when no clock runs
    overdue: bool
    due_text: str = ""  # the due time in the agency's time zone, as the rule counts it


def answer_clock(due_at: dt.datetime | None, *, awaiting: bool, overdue: bool | None = None) -> AnswerClock:
    if due_at is None or not awaiting:
        return AnswerClock(due_at, None, None, bool(overdue))
    now = timezone.now()
    due_day = local_day(due_at)
    is_overdue = now > due_at if overdue is None else overdue
    # Counted like the clock itself: the working days after today, up to the due day.
    today = local_day(now)
    days_left = 0 if is_overdue else working_days_between(today, due_day)
    return AnswerClock(due_at, due_day, days_left, is_overdue, agency_time(due_at))


# --- HHS's review clock ------------------------------------------------------------------------
# The HHS review clock of a rating request (target: settings.REVIEW_TARGET_WORKING_DAYS).
#
# Rules (target in working days, paused while HHS waits for the applicant):
# - Day 0 is the receipt day of the submission (receipt_day: its agency-local date, whatever
#   day that is; day 1 is the first working day after it).
# - A question pauses the clock from the working day after it is asked up to and including the
#   working day it is answered (asked and answered the same day: no pause). Each closed pause
#   moves the due day by its working days.
# - A return for correction is a wait for the applicant too, from the return to the
#   resubmission. settings.REVIEW_CLOCK_WHEN_RETURNED says how it counts: "pause" (default)
#   counts it like a question; "restart" starts the clock again at the resubmission's receipt
#   day (only questions asked after it count).
# - While a question is open or the request is returned, the clock stands still at that day.
# - The clock runs in submitted, in review and recommended; it stops with the decision or a
#   withdrawal (such requests are never overdue).
# - Overdue: the as-of day (today, or the day the wait began) is after the due day.

CLOCKED_STATES = [*REVIEW_CLOCK_STATES, RequestState.INFO_REQUESTED, RequestState.RETURNED]


@dataclass(frozen=True)
class ReviewClock:
    started_on: dt.date
    due_on: dt.date
    paused_working_days: int
    paused_since: dt.datetime | None
    elapsed_working_days: int
    overdue: bool


def _waits(
    asked: Iterable[InformationRequest], submitted: list[RequestSubmission]
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """(start, end) of every wait for the applicant; end None while it lasts."""
    waits: list[tuple[dt.datetime, dt.datetime | None]] = [(q.asked_at, q.responded_at) for q in asked]
    for index, submission in enumerate(submitted):
        if submission.returned_at is not None:
            later = submitted[index + 1].submitted_at if index + 1 < len(submitted) else None
            waits.append((submission.returned_at, later))
    return sorted(waits, key=lambda wait: wait[0])


def review_clock(
    rating_request: RatingRequest,
    *,
    now: dt.datetime | None = None,
    questions: Iterable[InformationRequest] | None = None,
    submissions: Iterable[RequestSubmission] | None = None,
) -> ReviewClock | None:
    """The clock of one request, or None when no clock runs (draft, decided, withdrawn)."""
    if rating_request.submitted_at is None or rating_request.state not in CLOCKED_STATES:
        return None
    now = now or timezone.now()
    asked = list(questions if questions is not None else rating_request.information_requests.all())
    submitted = sorted(
        submissions if submissions is not None else rating_request.submissions.all(), key=lambda s: s.number
    )
    started_at = rating_request.submitted_at
    if settings.REVIEW_CLOCK_WHEN_RETURNED == "restart" and len(submitted) > 1:
        started_at = submitted[-1].submitted_at
        asked = [q for q in asked if q.asked_at >= started_at]
        submitted = submitted[-1:]
    start = receipt_day(started_at)
    paused = 0
    open_since: dt.datetime | None = None
    for began, ended in _waits(asked, submitted):
        if ended is None:
            open_since = began if open_since is None else open_since
            continue
        paused += working_days_between(local_day(began), local_day(ended))
    due = add_working_days(start, settings.REVIEW_TARGET_WORKING_DAYS + paused)
    as_of = local_day(open_since) if open_since is not None else local_day(now)
    return ReviewClock(
        started_on=start,
        due_on=due,
        paused_working_days=paused,
        paused_since=open_since,
        elapsed_working_days=max(working_days_between(start, as_of) - paused, 0),
        overdue=as_of > due,
    )


# --- Showing times -----------------------------------------------------------------------------
# Every time a person reads (admin, portal, e-mail, documents) is in the agency's time zone with
# its abbreviation, e.g. "2026-12-03 17:00 EST"; exports keep UTC and say so.

AGENCY_DATETIME_FORMAT = "Y-m-d H:i T"
AGENCY_DATETIME_SECONDS_FORMAT = "Y-m-d H:i:s T"


def agency_time(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """`moment` in the agency's time zone with the zone's abbreviation ("" for None)."""
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        raise ValueError("agency_time needs a timezone-aware datetime")
    local = moment.astimezone(agency_time_zone())
    return dateformat.format(local, AGENCY_DATETIME_SECONDS_FORMAT if seconds else AGENCY_DATETIME_FORMAT)


def agency_date(moment: dt.datetime | dt.date | None) -> str:
    """The agency-local day in words, as a notice tells a due date: "Tuesday, December 8, 2026"."""
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        if timezone.is_naive(moment):
            raise ValueError("agency_date needs a timezone-aware datetime")
        moment = moment.astimezone(agency_time_zone()).date()
    return dateformat.format(moment, "l, F j, Y")
