"""Acceptance: the supplier's response clock on rated orders (receipt, due, amendments, cancel).

Receipt is the delivery of the order notice; `deliver_at` runs the outbox's receipt hook with a
chosen delivery time (the date math itself is covered in tests/ratings/test_deadline_clocks.py).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from ratings.constants import (
    AmendmentSignificance,
    NotificationKind,
    NotificationStatus,
    OrderStatus,
    RatingLevel,
)
from ratings.models import Notification, RatedOrder, SupplierResponse
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import responses as sr
from tests.factories import PASSWORD, otp
from tests.ratings.suppliers.conftest import deliver_at, issued, issued_undelivered

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


def end_ny(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=NY).astimezone(dt.UTC)


def test_receipt_is_the_delivery_of_the_order_notice(cast, django_capture_on_commit_callbacks):
    # when an order is issued and its notice delivered (eager outbox)
    order = issued(cast, django_capture_on_commit_callbacks)
    # then receipt is the notice's send time and the due time follows from it
    notice = Notification.objects.get(kind=NotificationKind.ORDER_ISSUED)
    version = order.versions.get()
    assert (notice.status, notice.recipient, notice.link) == (
        NotificationStatus.SENT,
        cast.supplier,
        f"https://dpa.example.gov/portal/orders/{order.order_number}/",
    )
    assert notice.key == f"rated_order:{order.pk}:v1:order_issued:user{cast.supplier.pk}"
    assert version.received_at == notice.sent_at == version.supplier_notified_at
    assert version.response_due_at is not None
    assert AuditEvent.objects.filter(action="rated_order.received", reference=order.order_number).count() == 1


def test_the_clock_does_not_start_before_delivery_and_a_second_delivery_does_not_move_it(
    cast, django_capture_on_commit_callbacks
):
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    assert order.versions.get().received_at is None
    first = deliver_at(order, ny(2026, 11, 25, 10))
    again = deliver_at(order, ny(2026, 11, 27, 10))
    assert again.received_at == first.received_at == ny(2026, 11, 25, 10)
    assert again.response_due_at == first.response_due_at


@pytest.mark.parametrize(
    ("level", "received", "due"),
    [
        # Wednesday before Thanksgiving 2026 (Thanksgiving Thu Nov 26 is off, the Friday after is a working day)
        (RatingLevel.DO, ny(2026, 11, 25, 10), end_ny(2026, 12, 17)),
        (RatingLevel.DX, ny(2026, 11, 25, 10), end_ny(2026, 12, 10)),
        # Around Christmas (Fri Dec 25 2026) and New Year's Day (Fri Jan 1 2027)
        (RatingLevel.DX, ny(2026, 12, 23, 10), end_ny(2027, 1, 8)),
        (RatingLevel.DO, ny(2026, 12, 23, 10), end_ny(2027, 1, 15)),
        # Juneteenth 2027 is a Saturday, observed Friday June 18
        (RatingLevel.DX, ny(2027, 6, 17, 10), end_ny(2027, 7, 2)),
        # Received on Juneteenth 2026 (a Friday holiday): that day is day 0, Monday day 1; July 3
        # 2026 (observed Independence Day, a Saturday holiday) is skipped too
        (RatingLevel.DX, ny(2026, 6, 19, 10), end_ny(2026, 7, 6)),
        # Late evening in New York is already the next day in UTC: the agency's day counts
        (RatingLevel.DX, ny(2026, 12, 22, 22, 30), end_ny(2027, 1, 7)),
    ],
)
def test_order_due_dates_over_weekends_and_holidays(cast, django_capture_on_commit_callbacks, level, received, due):
    order = issued_undelivered(cast, django_capture_on_commit_callbacks, level=level)
    version = deliver_at(order, received)
    assert (version.received_at, version.response_due_at) == (received, due)


def test_an_emergency_order_is_due_its_own_hours_after_receipt(cast, django_capture_on_commit_callbacks):
    order = issued_undelivered(cast, django_capture_on_commit_callbacks, is_emergency=True, emergency_response_hours=48)
    assert order.emergency_response_hours == 48
    # received Christmas Eve: the hours run through the holiday and the weekend
    version = deliver_at(order, ny(2026, 12, 24, 9))
    assert version.response_due_at == ny(2026, 12, 26, 9)


def _amend(cast, order: RatedOrder, *, dates: list[dt.date] | None = None, quantity: str | None = None) -> RatedOrder:
    current = order.versions.get(number=order.current_version).items_snapshot[0]
    return order_changes.rated_order_amend(
        order=order,
        actor=cast.approver,
        password=PASSWORD,
        otp=otp(cast.approver),
        reason="Schedule moved.",
        items=[
            order_changes.AmendedItem(
                position=1,
                description=current["description"],
                quantity=quantity or current["quantity"],
                unit=current["unit"],
                required_dates=dates or [dt.date.fromisoformat(d["date"]) for d in current["required_dates"]],
            )
        ],
    )


def test_a_significant_amendment_restarts_the_clock_and_asks_for_a_new_answer(cast, django_capture_on_commit_callbacks):
    # given an order received on Monday March 1 2027 and accepted
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    deliver_at(order, ny(2027, 3, 1, 10))
    order = sr.rated_order_accept(order=order, actor=cast.supplier)
    # when HHS moves the delivery date (significant) and the amendment reaches the supplier on March 10
    with django_capture_on_commit_callbacks(execute=False):
        order = _amend(cast, order, dates=[dt.date(2027, 6, 1)])
    v1 = order.versions.get(number=1)
    v2 = deliver_at(order, ny(2027, 3, 10, 10), version=2)
    # then a new answer is owed within a new 15 working days; the old clock is closed
    assert order.status == OrderStatus.AMENDED
    assert v2.significance == AmendmentSignificance.SIGNIFICANT
    assert (v2.received_at, v2.response_due_at) == (ny(2027, 3, 10, 10), end_ny(2027, 3, 31))
    assert v1.clock_closed_at is not None and v2.clock_closed_at is None
    order = sr.rated_order_accept(order=order, actor=cast.supplier)
    assert list(SupplierResponse.objects.values_list("kind", "version__number")) == [("accept", 1), ("accept", 2)]


def test_a_non_significant_amendment_keeps_the_clock_and_the_answer(cast, django_capture_on_commit_callbacks):
    # given an order received March 1 2027, not yet answered
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    v1 = deliver_at(order, ny(2027, 3, 1, 10))
    # when the quantity is cut (not significant) and that notice arrives later
    with django_capture_on_commit_callbacks(execute=False):
        order = _amend(cast, order, quantity="8")
    v2 = deliver_at(order, ny(2027, 3, 10, 10), version=2)
    # then the clock of the first version runs on
    assert v2.significance == AmendmentSignificance.NOT_SIGNIFICANT
    assert (v2.received_at, v2.response_due_at) == (v1.received_at, v1.response_due_at)
    # and after acceptance a further minor change keeps the order accepted
    order = sr.rated_order_accept(order=order, actor=cast.supplier)
    with django_capture_on_commit_callbacks(execute=True):
        order = _amend(cast, order, quantity="7")
    assert order.status == OrderStatus.ACCEPTED
    assert order.current_version == 3


def test_cancellation_closes_the_order_and_its_clock(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Not needed."
        )
    version = order.versions.get(number=1)
    assert (order.status, version.clock_closed_at) == (OrderStatus.CANCELLED, order.cancelled_at)
    cancelled = Notification.objects.get(kind=NotificationKind.ORDER_CANCELLED)
    assert (cancelled.recipient, cancelled.status) == (cast.supplier, NotificationStatus.SENT)
    assert order.versions.get(number=2).received_at is None  # a cancellation starts no clock
