"""15 CFR 700.13(d)(1): "within N working days after receipt". Day 1 is the first working day
after the receipt moment in the agency's time zone, whatever day receipt fell on: Friday
evening, Saturday, Sunday, a federal holiday and a declared closure day all give the same due
time, across the daylight-saving changes too."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.clock import answer_clock, delay_confirmation_due, is_working_day, supplier_response_due
from ratings.models import ClosureDay
from ratings.services.calendar import closures

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
pytestmark = pytest.mark.django_db


def ny(y: int, m: int, d: int, hour: int, minute: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=NY, fold=fold)


def utc(y: int, m: int, d: int, hour: int, minute: int = 59, second: int = 59) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    "received",
    [
        ny(2026, 11, 20, 21, 30),  # Friday evening
        ny(2026, 11, 21, 9),  # Saturday
        ny(2026, 11, 22, 23, 59),  # Sunday, a minute before midnight
        dt.datetime(2026, 11, 23, 4, 59, tzinfo=UTC),  # Sunday 23:59 in New York, Monday in UTC
    ],
    ids=["friday-evening", "saturday", "sunday", "sunday-late-utc-monday"],
)
def test_700_13_d_1_receipt_friday_evening_or_weekend_is_due_the_same_day(received):
    # Mon Nov 23 is day 1; Thanksgiving (Thu 26) is skipped; Mon Dec 14 is day 15 (DO)
    assert supplier_response_due(received_at=received, level="DO") == utc(2026, 12, 15, 4)
    # DX, 10 working days: Mon Dec 7
    assert supplier_response_due(received_at=received, level="DX") == utc(2026, 12, 8, 4)


def test_700_13_d_1_receipt_on_monday_morning_is_one_working_day_later():
    assert supplier_response_due(received_at=ny(2026, 11, 23, 8), level="DX") == utc(2026, 12, 9, 4)


def test_700_13_d_1_receipt_on_a_federal_holiday_is_due_with_the_day_before():
    # Thanksgiving Thu Nov 26 2026 and the evening of Wed Nov 25: day 1 is Fri Nov 27
    on_holiday = supplier_response_due(received_at=ny(2026, 11, 26, 11), level="DO")
    evening_before = supplier_response_due(received_at=ny(2026, 11, 25, 20), level="DO")
    assert on_holiday == evening_before == utc(2026, 12, 18, 4)  # Thu Dec 17, 23:59:59 EST


def test_700_13_d_1_a_declared_closure_day_is_not_a_working_day(cast):
    # Given Thu Dec 24 2026 declared closed by Executive Order
    assert is_working_day(dt.date(2026, 12, 24))
    closures.closure_day_declare(actor=cast.hhsadmin, day="2026-12-24", reason="EO closing executive departments")
    assert not is_working_day(dt.date(2026, 12, 24))
    # Then receipt Wed Dec 23 counts Dec 28-31 (4), Jan 1 is a holiday, Jan 4-8 (9), Mon Jan 11 is day 10
    assert supplier_response_due(received_at=ny(2026, 12, 23, 15), level="DX") == utc(2027, 1, 12, 4)
    # And receipt on the closure day itself is due the same day
    assert supplier_response_due(received_at=ny(2026, 12, 24, 10), level="DX") == utc(2027, 1, 12, 4)
    # And the 5-working-day delay confirmation skips it too: Dec 28, 29, 30, 31, Jan 4
    assert delay_confirmation_due(notified_at=ny(2026, 12, 23, 15)) == utc(2027, 1, 5, 4)


def test_700_13_d_1_spring_forward_week(cast):
    # Daylight saving starts Sun Mar 8 2026 (02:00 EST -> 03:00 EDT)
    friday_late = ny(2026, 3, 6, 23, 30)  # 04:30 UTC on Saturday
    sunday_after_change = ny(2026, 3, 8, 3, 30)
    for received in (friday_late, ny(2026, 3, 7, 12), ny(2026, 3, 8, 1, 30), sunday_after_change):
        # Mon Mar 9 is day 1, Fri Mar 20 is day 10; the due second is 23:59:59 EDT = 03:59:59 UTC
        assert supplier_response_due(received_at=received, level="DX") == utc(2026, 3, 21, 3)


def test_700_13_d_1_fall_back_week(cast):
    # Daylight saving ends Sun Nov 1 2026 (02:00 EDT -> 01:00 EST); 01:30 happens twice
    for received in (ny(2026, 10, 30, 22), ny(2026, 11, 1, 1, 30), ny(2026, 11, 1, 1, 30, fold=1)):
        # Mon Nov 2 is day 1; Veterans Day (Wed Nov 11) is skipped; Mon Nov 23 is day 15, in EST
        assert supplier_response_due(received_at=received, level="DO") == utc(2026, 11, 24, 4)
    # A DX order received Fri Oct 30 is due Mon Nov 16 (Nov 11 skipped), after the change: EST
    assert supplier_response_due(received_at=ny(2026, 10, 30, 9), level="DX") == utc(2026, 11, 17, 4)


def test_answer_clock_on_a_saturday_counts_the_working_days_after_today(settings):
    due = utc(2026, 12, 8, 4)  # end of Mon Dec 7
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: ny(2026, 12, 5, 12))  # Saturday
        assert answer_clock(due, awaiting=True).days_left == 1
        patch.setattr("django.utils.timezone.now", lambda: ny(2026, 12, 4, 12))  # Friday
        assert answer_clock(due, awaiting=True).days_left == 1


def test_declaring_a_closure_day_moves_running_clocks_and_withdrawing_moves_them_back(cast):
    from tests.portal.orders import issue

    order = issue(cast)
    version = order.versions.get()
    version.received_at = ny(2026, 12, 23, 15)
    version.response_due_at = supplier_response_due(received_at=version.received_at, level=order.level)
    version.save(update_fields=["received_at", "response_due_at"])
    before = version.response_due_at

    closure = closures.closure_day_declare(actor=cast.hhsadmin, day=dt.date(2026, 12, 24), reason="EO 14999")
    version.refresh_from_db()
    assert version.response_due_at == supplier_response_due(received_at=version.received_at, level=order.level)
    assert version.response_due_at > before
    event = AuditEvent.objects.get(action="closure_day.declare")
    assert event.data["moved_clocks"] == [f"{order.order_number} v1"]

    closures.closure_day_withdraw(closure=closure, actor=cast.hhsadmin, reason="Rescinded")
    version.refresh_from_db()
    assert version.response_due_at == before
    assert is_working_day(dt.date(2026, 12, 24))


def test_only_hhs_administrators_declare_closure_days_and_a_refusal_changes_nothing(cast):
    with pytest.raises(PermissionRefused):
        closures.closure_day_declare(actor=cast.intake, day="2026-12-24", reason="EO")
    assert not ClosureDay.objects.exists()
    assert AuditEvent.objects.filter(action="closure_day.declare", outcome="denied").count() == 1


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [("2026-12-26", "EO", "day"), ("2026-12-25", "EO", "day"), ("ASAP", "EO", "day"), ("2026-12-24", " ", "reason")],
)
def test_a_closure_day_needs_a_working_day_and_a_reason(cast, day, reason, field):
    with pytest.raises(ValidationFailed) as raised:
        closures.closure_day_declare(actor=cast.hhsadmin, day=day, reason=reason)
    assert raised.value.field == field
    assert not ClosureDay.objects.exists()


def test_a_withdrawn_closure_day_cannot_be_withdrawn_again(cast):
    closure = closures.closure_day_declare(actor=cast.hhsadmin, day="2026-12-24", reason="EO")
    closures.closure_day_withdraw(closure=closure, actor=cast.hhsadmin, reason="Error")
    with pytest.raises(InvalidState):
        closures.closure_day_withdraw(closure=closure, actor=cast.hhsadmin, reason="Again")


def test_the_admin_lists_closure_days_and_declares_one(client, cast):
    client.force_login(cast.hhsadmin)
    response = client.post("/admin/ratings/closureday/add/", {"day": "2026-12-24", "reason": "EO 14999"})
    assert response.status_code == 302
    assert ClosureDay.objects.get().reason == "EO 14999"
    assert b"EO 14999" in client.get("/admin/ratings/closureday/").content
    client.force_login(cast.intake)
    assert client.get("/admin/ratings/closureday/add/").status_code == 403
