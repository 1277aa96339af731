"""Deadline clocks over weekends and U.S. federal holidays (observed dates included)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from ratings.clock import (
    add_working_days,
    delay_confirmation_due,
    end_of_day,
    is_working_day,
    receipt_day,
    reminder_days,
    subtract_working_days,
    supplier_response_due,
)

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
# Working days read the declared closure days (none here).
pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=NY)


def end_ny(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=NY).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 7, 3), False),  # July 4 2026 is a Saturday: observed Friday July 3
        (dt.date(2021, 12, 24), False),  # Christmas 2021 Saturday: observed Friday Dec 24
        (dt.date(2021, 12, 31), False),  # New Year's Day 2022 Saturday: observed Dec 31 2021
        (dt.date(2026, 6, 19), False),  # Juneteenth
        (dt.date(2027, 6, 18), False),  # Juneteenth 2027 Saturday: observed Friday
        (dt.date(2026, 11, 26), False),  # Thanksgiving
        (dt.date(2026, 11, 27), True),  # the day after Thanksgiving is not a federal holiday
        (dt.date(2026, 11, 28), False),  # Saturday
        (dt.date(2026, 12, 24), True),  # Christmas Eve 2026 (a Thursday) is a working day
    ],
)
def test_working_days_follow_the_federal_calendar(day, expected):
    assert is_working_day(day) is expected


def test_do_order_received_the_wednesday_before_thanksgiving_is_due_15_working_days_later():
    # Given receipt Wed Nov 25 2026; Thu 26 (Thanksgiving) and the weekends do not count
    due = supplier_response_due(received_at=at(2026, 11, 25), level="DO")
    # Then Fri 27 is day 1 ... Thu Dec 17 is day 15, due at the end of that day, New York time
    assert due == end_ny(2026, 12, 17)
    assert due == dt.datetime(2026, 12, 18, 4, 59, 59, tzinfo=UTC)


def test_dx_order_received_the_same_day_is_due_after_10_working_days():
    assert supplier_response_due(received_at=at(2026, 11, 25), level="DX") == end_ny(2026, 12, 10)


def test_clock_around_christmas_and_new_years_day():
    # Wed Dec 23 2026: Christmas (Fri 25) and New Year's Day (Fri Jan 1) skipped
    assert supplier_response_due(received_at=at(2026, 12, 23), level="DX") == end_ny(2027, 1, 8)
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)


def test_saturday_holidays_observed_on_friday_are_skipped():
    # July 4 2026 (Sat) observed Fri July 3: receipt Thu July 2, day 1 is Mon July 6
    assert add_working_days(dt.date(2026, 7, 2), 1) == dt.date(2026, 7, 6)
    assert supplier_response_due(received_at=at(2026, 7, 2), level="DO") == end_ny(2026, 7, 24)
    # Christmas 2021 (Sat) observed Fri Dec 24, New Year 2022 (Sat) observed Fri Dec 31
    assert add_working_days(dt.date(2021, 12, 23), 1) == dt.date(2021, 12, 27)
    assert add_working_days(dt.date(2021, 12, 30), 1) == dt.date(2022, 1, 3)


def test_juneteenth_is_skipped_and_receipt_on_it_is_day_0():
    assert add_working_days(dt.date(2026, 6, 18), 1) == dt.date(2026, 6, 22)
    # Received on Juneteenth 2026 (Fri): day 1 is Mon June 22; July 3 is observed, day 10 is Mon July 6
    assert receipt_day(at(2026, 6, 19)) == dt.date(2026, 6, 19)
    assert supplier_response_due(received_at=at(2026, 6, 19), level="DX") == end_ny(2026, 7, 6)


def test_receipt_on_a_weekend_is_day_0_and_day_1_is_the_next_working_day():
    saturday = at(2026, 11, 28, 9)
    assert receipt_day(saturday) == dt.date(2026, 11, 28)
    # Mon Nov 30 is day 1 ... Fri Dec 11 is day 10
    assert supplier_response_due(received_at=saturday, level="DX") == end_ny(2026, 12, 11)


def test_receipt_day_is_the_agency_local_date_not_the_utc_date():
    # 03:00 UTC on Thursday Nov 26 is 22:00 on Wednesday Nov 25 in New York
    late = dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert receipt_day(late) == dt.date(2026, 11, 25)
    assert supplier_response_due(received_at=late, level="DO") == end_ny(2026, 12, 17)


def test_time_zone_is_a_setting(settings):
    settings.AGENCY_TIME_ZONE = "America/Los_Angeles"
    assert end_of_day(dt.date(2026, 12, 17)) == dt.datetime(2026, 12, 18, 7, 59, 59, tzinfo=UTC)


def test_deadlines_per_level_come_from_settings(settings):
    settings.SUPPLIER_RESPONSE_WORKING_DAYS = {"DO": 3, "DX": 1}
    assert supplier_response_due(received_at=at(2026, 11, 25), level="DO") == end_ny(2026, 12, 1)
    assert supplier_response_due(received_at=at(2026, 11, 25), level="DX") == end_ny(2026, 11, 27)


def test_unknown_level_is_refused_clearly():
    with pytest.raises(ValueError, match="No supplier response deadline is configured for level 'DZ'"):
        supplier_response_due(received_at=at(2026, 11, 25), level="DZ")


def test_emergency_limit_is_calendar_hours_from_receipt_weekends_included():
    friday_evening = at(2026, 11, 27, 18)
    due = supplier_response_due(received_at=friday_evening, level="DO", emergency_hours=24)
    assert due == dt.datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # Saturday 18:00 New York
    assert supplier_response_due(received_at=friday_evening, level="DX", emergency_hours=72) == at(2026, 11, 30, 18)


def test_emergency_limit_below_one_hour_is_refused():
    with pytest.raises(ValueError, match="at least one hour"):
        supplier_response_due(received_at=at(2026, 11, 25), level="DO", emergency_hours=0)


def test_delay_confirmation_is_due_within_5_working_days():
    # Verbal delay notice Wed Nov 25 2026: Fri 27, Mon 30, Tue 1, Wed 2, Thu Dec 3
    assert delay_confirmation_due(notified_at=at(2026, 11, 25, 16)) == end_ny(2026, 12, 3)


def test_zero_working_days_is_the_day_itself():
    assert add_working_days(dt.date(2026, 11, 25), 0) == dt.date(2026, 11, 25)
    assert add_working_days(dt.date(2026, 11, 28), 0) == dt.date(2026, 11, 28)
    assert subtract_working_days(dt.date(2026, 11, 25), 0) == dt.date(2026, 11, 25)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(dt.date(2026, 11, 25), -1)


def test_naive_receipt_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        receipt_day(dt.datetime(2026, 11, 25, 10, 0))


def test_reminders_fall_5_and_1_working_days_before_the_due_day():
    due = end_ny(2026, 12, 17)
    assert reminder_days(due) == [(5, dt.date(2026, 12, 10)), (1, dt.date(2026, 12, 16))]


def test_reminder_before_a_holiday_weekend_skips_back_over_it(settings):
    settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS = [1]
    # Due Mon Dec 28 2026: one working day before is Thu Dec 24 (Fri 25 is Christmas)
    assert reminder_days(end_ny(2026, 12, 28)) == [(1, dt.date(2026, 12, 24))]


days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@hyp_settings(max_examples=200, deadline=None)
@given(day=days, n=st.integers(min_value=1, max_value=40))
def test_result_is_a_working_day_after_the_start(day, n):
    result = add_working_days(day, n)
    assert is_working_day(result)
    assert result > day
    if is_working_day(day):
        assert subtract_working_days(result, n) == day


@hyp_settings(max_examples=200, deadline=None)
@given(day=days, n=st.integers(min_value=0, max_value=40))
def test_one_more_working_day_is_strictly_later(day, n):
    assert add_working_days(day, n + 1) > add_working_days(day, n)
