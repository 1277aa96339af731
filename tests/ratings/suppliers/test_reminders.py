"""Acceptance: reminders before the answer is due (once per offset) and overdue escalation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from ratings.constants import NotificationKind
from ratings.models import Notification
from ratings.services.orders import reminders as order_reminders
from ratings.services.suppliers import responses as sr
from ratings.tasks import send_order_reminders
from tests.factories import member
from tests.ratings.suppliers.conftest import deliver_at, issued_undelivered

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


def kinds() -> list[tuple[str, int, str]]:
    return sorted(
        Notification.objects.filter(
            kind__in=[NotificationKind.RESPONSE_REMINDER, NotificationKind.RESPONSE_OVERDUE]
        ).values_list("kind", "recipient_id", "subject")
    )


def test_reminders_go_once_per_offset_and_an_overdue_answer_is_escalated_once(cast, django_capture_on_commit_callbacks):
    # given a DO order received Monday March 1 2027: due end of Monday March 22; Filtra has two contacts
    second_contact = member(cast.supplier_org, "supplier_contact")
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    version = deliver_at(order, ny(2027, 3, 1, 10))
    n = order.order_number

    def run(*when: int) -> order_reminders.ReminderRun:
        with django_capture_on_commit_callbacks(execute=True):
            return order_reminders.order_reminders_send(now=ny(*when))

    # nothing before the 5-day reminder day (Monday March 15)
    assert run(2027, 3, 12, 17).reminders == {}
    # on March 15 the 5-day reminder goes to every contact, once
    assert run(2027, 3, 15, 7).reminders == {5: [version.pk]}
    assert run(2027, 3, 15, 8).reminders == {}
    assert run(2027, 3, 17, 8).reminders == {}
    # the 1-day reminder on Friday March 19, once
    assert run(2027, 3, 19, 8).reminders == {1: [version.pk]}
    assert run(2027, 3, 22, 23, 59).reminders == {}
    # overdue just after the due time: HHS intake and the applicant, once, audited
    assert run(2027, 3, 23, 0, 0).escalated == [version.pk]
    assert run(2027, 3, 24, 9).escalated == []

    contacts = sorted([cast.supplier.pk, second_contact.pk])
    assert kinds() == sorted(
        [(NotificationKind.RESPONSE_REMINDER, pk, f"{n}: answer due in 5 working days") for pk in contacts]
        + [(NotificationKind.RESPONSE_REMINDER, pk, f"{n}: answer due in 1 working day") for pk in contacts]
        + [
            (NotificationKind.RESPONSE_OVERDUE, pk, f"{n}: supplier answer overdue (Filtra Corp)")
            for pk in (cast.applicant.pk, cast.signer.pk, cast.intake.pk)
        ]
    )
    assert AuditEvent.objects.filter(action="rated_order.overdue", reference=n).count() == 1


def test_a_clock_starting_inside_the_last_window_gets_only_the_last_reminder(cast, django_capture_on_commit_callbacks):
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    deliver_at(order, ny(2027, 3, 1, 10))  # due March 22
    run = order_reminders.order_reminders_send(now=ny(2027, 3, 19, 9))
    again = order_reminders.order_reminders_send(now=ny(2027, 3, 19, 10))
    assert (list(run.reminders), again.reminders) == ([1], {})
    assert [s for _, _, s in kinds()] == [f"{order.order_number}: answer due in 1 working day"]


def test_answered_or_cancelled_orders_get_no_reminder_or_escalation(cast, django_capture_on_commit_callbacks):
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    deliver_at(order, ny(2027, 3, 1, 10))
    sr.rated_order_accept(order=order, actor=cast.supplier)
    run_soon = order_reminders.order_reminders_send(now=ny(2027, 3, 19, 9))
    run_late = order_reminders.order_reminders_send(now=ny(2027, 4, 1, 9))
    assert (run_soon.reminders, run_late.escalated) == ({}, [])
    assert kinds() == []


def test_the_reminder_run_is_set_based_and_scheduled_by_beat(cast, django_capture_on_commit_callbacks):
    # given several orders in the reminder window
    for day in (1, 2, 3):
        deliver_at(issued_undelivered(cast, django_capture_on_commit_callbacks), ny(2027, 3, day, 10))
    # when the run finds nothing to do, it costs a fixed number of queries (no loop over orders)
    with CaptureQueriesContext(connection) as quiet:
        order_reminders.order_reminders_send(now=ny(2027, 3, 2, 9))
    assert len(quiet.captured_queries) == 5  # 3 selects (2 offsets, overdue) + savepoint
    assert settings.CELERY_BEAT_SCHEDULE["supplier-response-reminders"]["task"] == "ratings.tasks.send_order_reminders"
    # and the beat task (eager here) runs the same service: nothing is due in March 2027 yet today
    assert send_order_reminders.delay().get() == 0


def _queries_of_runs(cast, capture, orders: int) -> tuple[int, int, int]:
    versions = [deliver_at(issued_undelivered(cast, capture), ny(2027, 3, 1, 10)) for _ in range(orders)]
    with CaptureQueriesContext(connection) as reminding:
        run = order_reminders.order_reminders_send(now=ny(2027, 3, 15, 7))
    with CaptureQueriesContext(connection) as escalating:
        late = order_reminders.order_reminders_send(now=ny(2027, 3, 23, 0, 0))
    assert run.reminders == {5: sorted(v.pk for v in versions)}
    assert late.escalated == sorted(v.pk for v in versions)
    return len(reminding.captured_queries), len(escalating.captured_queries), Notification.objects.count()


def test_a_run_costs_the_same_statements_for_one_order_or_many(cast, django_capture_on_commit_callbacks):
    # set-based: the statements of a run do not grow with the orders it reminds or escalates
    one = _queries_of_runs(cast, django_capture_on_commit_callbacks, 1)
    Notification.objects.filter(
        kind__in=[NotificationKind.RESPONSE_REMINDER, NotificationKind.RESPONSE_OVERDUE]
    ).delete()
    three = _queries_of_runs(cast, django_capture_on_commit_callbacks, 3)
    assert three[:2] == one[:2]
    assert AuditEvent.objects.filter(action="rated_order.overdue").count() == 4
