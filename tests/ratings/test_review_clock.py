"""HHS review clock: target in working days from submission, paused while a question is open."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.urls import reverse

from ratings.clock import review_clock
from ratings.constants import RequestState
from ratings.models import InformationRequest, RatingRequest
from ratings.selectors.requests import overdue_review_requests
from tests.factories import request_in_state

NY = ZoneInfo("America/New_York")


def at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=NY)


def submitted_on(cast, when: dt.datetime, state: str = RequestState.IN_REVIEW, **kwargs) -> RatingRequest:
    rr = request_in_state(cast, state, **kwargs)
    RatingRequest.objects.filter(pk=rr.pk).update(submitted_at=when)
    InformationRequest.objects.filter(request=rr).update(asked_at=when)
    return RatingRequest.objects.get(pk=rr.pk)


def question(cast, rr: RatingRequest, asked: dt.datetime, answered: dt.datetime | None) -> None:
    InformationRequest.objects.create(
        request=rr,
        question="Quote?",
        asked_by=cast.reviewer,
        asked_at=asked,
        response="Here." if answered else "",
        responded_by=cast.applicant if answered else None,
        responded_at=answered,
    )


def test_clock_is_due_10_working_days_after_submission_and_overdue_the_day_after(cast):
    # Submitted the Wednesday before Thanksgiving 2026: due Thursday Dec 10
    rr = submitted_on(cast, at(2026, 11, 25))
    on_due_day = review_clock(rr, now=at(2026, 12, 10, 23))
    assert (on_due_day.started_on, on_due_day.due_on) == (dt.date(2026, 11, 25), dt.date(2026, 12, 10))
    assert (on_due_day.elapsed_working_days, on_due_day.overdue) == (10, False)
    next_day = review_clock(rr, now=at(2026, 12, 11, 9))
    assert (next_day.elapsed_working_days, next_day.overdue) == (11, True)


def test_an_answered_question_moves_the_due_day_by_the_working_days_it_was_open(cast):
    rr = submitted_on(cast, at(2026, 11, 25))
    # asked Tue Dec 1, answered Fri Dec 4: Wed, Thu, Fri paused
    question(cast, rr, at(2026, 12, 1), at(2026, 12, 4, 15))
    clock = review_clock(rr, now=at(2026, 12, 11))
    assert (clock.paused_working_days, clock.due_on, clock.overdue) == (3, dt.date(2026, 12, 15), False)
    assert review_clock(rr, now=at(2026, 12, 16)).overdue is True


def test_a_question_asked_and_answered_the_same_day_pauses_nothing(cast):
    rr = submitted_on(cast, at(2026, 11, 25))
    question(cast, rr, at(2026, 12, 1, 9), at(2026, 12, 1, 16))
    assert review_clock(rr, now=at(2026, 12, 11)).paused_working_days == 0


def test_the_clock_stands_still_while_a_question_is_open(cast):
    rr = submitted_on(cast, at(2026, 11, 25), state=RequestState.INFO_REQUESTED)
    InformationRequest.objects.filter(request=rr).update(asked_at=at(2026, 12, 3))
    months_later = review_clock(rr, now=at(2027, 3, 1))
    assert months_later.paused_since == at(2026, 12, 3)
    assert (months_later.elapsed_working_days, months_later.overdue) == (5, False)  # Nov 27 .. Dec 3


def test_a_request_already_late_when_the_question_is_asked_stays_overdue(cast):
    rr = submitted_on(cast, at(2026, 11, 25), state=RequestState.INFO_REQUESTED)
    InformationRequest.objects.filter(request=rr).update(asked_at=at(2026, 12, 14))
    assert review_clock(rr, now=at(2027, 3, 1)).overdue is True


def test_decided_and_draft_requests_have_no_clock(cast):
    approved = submitted_on(cast, at(2026, 1, 5), state=RequestState.APPROVED)
    draft = request_in_state(cast, RequestState.DRAFT)
    assert review_clock(approved, now=at(2026, 12, 1)) is None
    assert review_clock(draft, now=at(2026, 12, 1)) is None


def test_target_comes_from_settings(cast, settings):
    settings.REVIEW_TARGET_WORKING_DAYS = 2
    rr = submitted_on(cast, at(2026, 11, 25))
    assert review_clock(rr, now=at(2026, 11, 30)).due_on == dt.date(2026, 11, 30)


def test_selector_returns_exactly_the_overdue_requests(cast):
    late = submitted_on(cast, at(2026, 11, 2))
    paused_late = submitted_on(cast, at(2026, 11, 2), state=RequestState.INFO_REQUESTED)
    InformationRequest.objects.filter(request=paused_late).update(asked_at=at(2026, 11, 30))
    paused_in_time = submitted_on(cast, at(2026, 11, 2), state=RequestState.INFO_REQUESTED)
    InformationRequest.objects.filter(request=paused_in_time).update(asked_at=at(2026, 11, 6))
    recent = submitted_on(cast, at(2026, 11, 25))
    decided = submitted_on(cast, at(2026, 11, 2), state=RequestState.DENIED)
    overdue = overdue_review_requests(now=at(2026, 12, 1))
    assert set(overdue) == {late, paused_late}
    assert {recent, decided, paused_in_time}.isdisjoint(set(overdue))


def test_admin_flags_overdue_requests_with_a_column_and_a_filter(cast, client):
    late = submitted_on(cast, at(2025, 1, 6))
    on_time = request_in_state(cast, RequestState.SUBMITTED)
    cast.intake.user_permissions.add(Permission.objects.get(codename="view_ratingrequest"))
    client.force_login(cast.intake)
    changelist = reverse("admin:ratings_ratingrequest_changelist")
    page = client.get(changelist).content.decode()
    assert page.count("OVERDUE</strong>") == 1
    filtered = client.get(changelist + "?review=overdue")
    assert [r.pk for r in filtered.context["cl"].result_list] == [late.pk]
    others = client.get(changelist + "?review=on_time")
    assert [r.pk for r in others.context["cl"].result_list] == [on_time.pk]
