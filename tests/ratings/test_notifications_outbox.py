"""Notifications outbox: written with their cause, delivered once after commit (eager tasks)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused
from ratings.constants import NotificationKind, NotificationStatus, RequestState, Role
from ratings.models import Notification
from ratings.services.notifications import outbox as notifications
from ratings.services.orders import reminders as order_reminders
from ratings.services.requests import workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, member, otp, place_orders, request_in_state
from tests.ratings.suppliers.conftest import deliver_at, issued_undelivered

FAILING_BACKEND = "tests.ratings.mail_backends.FailingSMTPBackend"


def test_submit_writes_one_notice_to_the_applicant_and_sends_it_after_commit(cast, django_capture_on_commit_callbacks):
    # given a draft
    rr = request_in_state(cast, RequestState.DRAFT)
    mail.outbox.clear()
    # when the applicant submits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rr = workflow.rating_request_submit(
            rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
        )
        row = Notification.objects.get(recipient=cast.applicant)
        staff = Notification.objects.get(recipient=cast.intake)  # intake hears of the new submission
        # then the rows exist, pending, before anything is sent
        assert (row.status, staff.status) == (NotificationStatus.PENDING, NotificationStatus.PENDING)
        assert staff.kind == NotificationKind.REQUEST_SUBMITTED
        assert mail.outbox == []
    assert len(callbacks) == 2
    callbacks[0]()
    row.refresh_from_db()
    assert row.kind == NotificationKind.REQUEST_STATUS
    assert row.recipient == cast.applicant
    assert row.key == f"rating_request:{rr.pk}:v{rr.version}:request_status:user{cast.applicant.pk}"
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")
    assert row.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"{rr.reference}: request received"
    assert message.to == [cast.applicant.email]
    assert f"Rating request {rr.reference} (mRNA vaccine) is now: Submitted." in message.body
    assert message.alternatives[0][1] == "text/html"
    assert f"<strong>{rr.reference}</strong>" in message.alternatives[0][0]
    assert AuditEvent.objects.filter(action="notification.sent", object_id=str(row.pk)).count() == 1


def test_accept_for_review_tells_the_applicant_and_assigns_the_reviewer(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    rows = Notification.objects.filter(kind__in=[NotificationKind.REQUEST_STATUS, NotificationKind.REVIEW_ASSIGNED])
    latest = {(n.kind, n.recipient_id) for n in rows.filter(key__contains=":v3:")}
    assert latest == {
        (NotificationKind.REQUEST_STATUS, cast.applicant.pk),
        (NotificationKind.REVIEW_ASSIGNED, cast.reviewer.pk),
    }
    assigned = Notification.objects.get(kind=NotificationKind.REVIEW_ASSIGNED)
    assert assigned.link == f"http://127.0.0.1:8000/admin/ratings/ratingrequest/{rr.pk}/change/"
    assert sorted(m.subject for m in mail.outbox) == [
        f"{rr.reference}: assigned to you for review",
        f"{rr.reference}: request in review",
    ]


def test_question_and_decision_go_to_the_contact_and_every_applicant_of_the_organization(
    cast, django_capture_on_commit_callbacks
):
    colleague = member(cast.manufacturer, Role.APPLICANT, first_name="Carl", last_name="Colleague")
    rr = request_in_state(cast, RequestState.IN_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_request_information(
            rating_request=rr, actor=cast.reviewer, question="Send the supplier's quote."
        )
    asked = Notification.objects.filter(kind=NotificationKind.INFORMATION_REQUESTED)
    assert sorted(asked.values_list("recipient_id", flat=True)) == sorted([cast.applicant.pk, colleague.pk])
    assert all("Send the supplier's quote." in m.body for m in mail.outbox)
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_respond(rating_request=rr, actor=cast.applicant, response="Attached.")
        rr = workflow.rating_request_recommend(
            rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
        )
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Needed."
        )
        place_orders(cast, rr)
    answered = Notification.objects.get(kind=NotificationKind.INFORMATION_PROVIDED)
    assert answered.recipient == cast.reviewer
    decided = Notification.objects.filter(kind=NotificationKind.REQUEST_DECISION)
    assert sorted(decided.values_list("recipient_id", flat=True)) == sorted([cast.applicant.pk, colleague.pk])
    order = rr.rated_orders.get()
    assert {m.subject for m in mail.outbox[2:]} == {
        f"{rr.reference}: the applicant answered",
        f"{rr.reference}: request approved",
        f"{order.order_number}: new rated order (DO-HR)",  # to the supplier's contact
        f"{order.authorization.number}: rated orders to place (DO-HR)",  # to the authorized signer
    }
    # 2 questions, 1 answer to the reviewer, 2 decisions, 1 orders to place, 1 order notice; none for recommend
    assert len(mail.outbox) == 7


def test_a_refused_transition_writes_no_notice_and_queues_nothing(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused):
        workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.applicant, reviewer=cast.reviewer)
    assert callbacks == []
    assert Notification.objects.count() == before


def test_a_rolled_back_transition_leaves_no_notice_and_sends_nothing(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    before = Notification.objects.count()
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
        raise RuntimeError("the surrounding work failed")
    assert callbacks == []
    assert Notification.objects.count() == before
    assert mail.outbox == []


def test_the_same_key_writes_one_notice_and_queues_one_delivery(cast, django_capture_on_commit_callbacks):
    args = dict(
        recipient=cast.applicant,
        kind=NotificationKind.REQUEST_STATUS,
        subject="Hello",
        template="information_provided",
        context={"request": request_in_state(cast, RequestState.DRAFT)},
        key="test:once",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notifications.notify(**args)
        second = notifications.notify(**args)
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert Notification.objects.filter(key="test:once").count() == 1


def test_delivering_a_notice_already_sent_sends_nothing(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_in_state(cast, RequestState.SUBMITTED)
    row = Notification.objects.get(kind=NotificationKind.REQUEST_STATUS)
    mail.outbox.clear()
    assert notifications.notification_deliver(notification_id=row.pk).outcome == "skipped"
    assert mail.outbox == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


@override_settings(EMAIL_BACKEND=FAILING_BACKEND, NOTIFICATION_MAX_ATTEMPTS=3, NOTIFICATION_RETRY_BASE_SECONDS=0.001)
def test_smtp_errors_retry_then_end_failed_with_the_error(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rr = request_in_state(cast, RequestState.SUBMITTED)
    row = Notification.objects.get(recipient=cast.applicant)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert row.last_error == "SMTPException: 451 mail server busy"
    assert row.sent_at is None
    assert mail.outbox == []
    failed = AuditEvent.objects.get(action="notification.failed", object_id=str(row.pk))
    assert (failed.object_id, failed.outcome) == (str(row.pk), "failure")
    assert rr.state == RequestState.SUBMITTED  # the cause committed regardless


def test_retry_delay_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 60
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (4, 60), (9, 60)):
        delays = {notifications.retry_delay(attempt) for _ in range(50)}
        assert all(ceiling / 10 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def _failed_notice(cast, django_capture_on_commit_callbacks) -> Notification:
    with (
        override_settings(EMAIL_BACKEND=FAILING_BACKEND, NOTIFICATION_MAX_ATTEMPTS=1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_in_state(cast, RequestState.SUBMITTED)
    row = Notification.objects.get(recipient=cast.applicant)
    assert row.status == NotificationStatus.FAILED
    return row


def test_an_hhs_administrator_resends_a_failed_notice_from_the_admin(cast, client, django_capture_on_commit_callbacks):
    row = _failed_notice(cast, django_capture_on_commit_callbacks)
    cast.hhsadmin.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(cast.hhsadmin)
    changelist = reverse("admin:ratings_notification_changelist")
    page = client.get(changelist + "?status__exact=failed")
    assert page.status_code == 200
    assert "SMTPException: 451 mail server busy" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "resend", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert len(mail.outbox) == 1
    resend = AuditEvent.objects.get(action="notification.resend")
    assert (resend.actor_id, resend.from_state, resend.to_state) == (cast.hhsadmin.pk, "failed", "pending")
    assert resend.data["previous_error"] == "SMTPException: 451 mail server busy"


def test_resend_by_someone_outside_hhs_is_refused_and_audited(cast, django_capture_on_commit_callbacks):
    row = _failed_notice(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused):
        notifications.notification_resend(notification=row, actor=cast.applicant)
    assert callbacks == []
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    denied = AuditEvent.objects.filter(action="notification.resend")
    assert [(e.outcome, e.actor_id) for e in denied] == [("denied", cast.applicant.pk)]


def test_only_failed_notices_are_resent(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_in_state(cast, RequestState.SUBMITTED)
    row = Notification.objects.get(recipient=cast.applicant)
    audit_rows = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidState, match="is sent"):
        notifications.notification_resend(notification=row, actor=cast.hhsadmin)
    assert callbacks == []
    assert AuditEvent.objects.count() == audit_rows


def test_sweep_requeues_pending_notices_past_the_grace_period_and_sends_each_once(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):  # the delivery task is "lost"
        request_in_state(cast, RequestState.IN_REVIEW)
    rows = list(Notification.objects.order_by("pk"))
    # submitted (applicant, intake), in review (applicant, reviewer)
    assert [r.status for r in rows] == [NotificationStatus.PENDING] * 4
    old, fresh = rows[0], rows[1:]
    Notification.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        result = notifications.notifications_sweep()
    assert result.requeued == [old.pk]
    assert [m.subject for m in mail.outbox] == [old.subject]
    with django_capture_on_commit_callbacks(execute=True):
        again = notifications.notifications_sweep(now=timezone.now() + dt.timedelta(seconds=61))
    assert again.requeued == [r.pk for r in fresh]
    assert len(mail.outbox) == 4
    with django_capture_on_commit_callbacks(execute=True):
        last = notifications.notifications_sweep(now=timezone.now() + dt.timedelta(hours=1))
    assert (last.requeued, last.abandoned) == ([], [])
    assert len(mail.outbox) == 4


def test_sweep_fails_notices_stuck_while_sending_instead_of_sending_twice(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_SENDING_STALE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=False):
        request_in_state(cast, RequestState.SUBMITTED)
    row = Notification.objects.get(recipient=cast.applicant)
    # a worker claimed it, then died before recording the outcome
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, attempts=1, claimed_at=timezone.now() - dt.timedelta(seconds=601)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = notifications.notifications_sweep()
    assert result.abandoned == [row.pk]
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert row.last_error.startswith("Delivery outcome unknown")
    assert mail.outbox == []


def test_beat_runs_the_sweep_periodically(settings):
    assert settings.CELERY_BEAT_SCHEDULE["notifications-sweep"] == {
        "task": "ratings.tasks.sweep_notifications",
        "schedule": 60.0,
    }


def test_a_notice_written_without_its_body_is_rendered_when_sent_and_sent_once_after_a_lost_task(
    cast, django_capture_on_commit_callbacks, settings
):
    # given an overdue order, escalated by the sweep whose queued deliveries were lost
    settings.SITE_URL = "https://dpa.example.gov"
    order = issued_undelivered(cast, django_capture_on_commit_callbacks)
    version = deliver_at(order, timezone.now() - dt.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=False):
        assert order_reminders.order_reminders_send().escalated == [version.pk]
    rows = Notification.objects.filter(kind=NotificationKind.RESPONSE_OVERDUE)
    assert {(r.status, r.body_text) for r in rows} == {(NotificationStatus.PENDING, "")}
    # when the outbox sweep queues them again, twice
    mail.outbox.clear()
    later = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_sweep(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notifications_sweep(now=later + dt.timedelta(hours=1)).requeued == []
    # then each went out once (with the order's own notices, also left pending), rendered, and
    # keeps the text it went out with
    overdue = [m for m in mail.outbox if ":overdue:" in m.extra_headers["X-DPA-Notification"]]
    assert sorted(m.extra_headers["X-DPA-Notification"] for m in overdue) == sorted(r.key for r in rows)
    for message in overdue:
        row = Notification.objects.get(key=message.extra_headers["X-DPA-Notification"])
        assert (row.status, row.body_text, row.body_html) == (
            NotificationStatus.SENT,
            message.body,
            message.alternatives[0][0],
        )
        assert f"has not answered rated order {order.order_number}" in message.body
        assert f"Open it here: {row.link}" in message.body
