"""A real Redis broker (our own redis-server, tests/ratings/celery_broker.py) and a real
in-process Celery worker (celery.contrib.testing.worker). The worker runs in a thread of this
process, so the locmem mail outbox counts what it sends."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from ratings.constants import GenerationStatus, NotificationKind, NotificationStatus, RequestState
from ratings.models import Document, Notification, RatedOrderVersion, RatingRequest
from ratings.services.notifications import outbox as notifications
from ratings.services.requests import workflow
from ratings.tasks import sweep_notifications, sweep_order_documents
from tests.factories import PASSWORD, make_cast, otp, place_orders
from tests.ratings.celery_broker import recommended, wait_until, worker
from tests.ratings.mail_backends import FlakySMTPBackend

pytestmark = pytest.mark.django_db(transaction=True)


def settled(expected_status: str) -> Callable[[], bool]:
    def check() -> bool:
        return not Notification.objects.exclude(status=expected_status).exists()

    return check


def test_an_approvals_notices_are_delivered_once_by_the_worker(broker):
    cast = make_cast()
    rr = recommended(cast)
    with worker():
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Needed."
        )
        place_orders(cast, rr)
        wait_until(settled(NotificationStatus.SENT))
        wait_until(lambda: Document.objects.exists())
        time.sleep(0.3)  # a duplicate would arrive now
    version = RatedOrderVersion.objects.get(order__source_request=rr)
    rows = Notification.objects.order_by("kind")
    # the decision to the applicant, the orders to place to its signer, the new order to the supplier's contact
    assert [(row.kind, row.recipient_id, row.attempts) for row in rows] == [
        (NotificationKind.AUTHORIZATION_ISSUED, cast.signer.pk, 1),
        (NotificationKind.ORDER_ISSUED, cast.supplier.pk, 1),
        (NotificationKind.REQUEST_DECISION, cast.applicant.pk, 1),
    ]
    assert sorted(m.subject for m in mail.outbox) == [
        f"{version.order.order_number}: new rated order (DO-HR)",
        f"{rr.reference}: request approved",
        f"{version.order.authorization.number}: rated orders to place (DO-HR)",
    ]
    version.refresh_from_db()
    assert (version.generation_status, Document.objects.filter(version=version).count()) == (
        GenerationStatus.GENERATED,
        1,
    )


@override_settings(NOTIFICATION_SWEEP_GRACE_SECONDS=0, DOCUMENT_SWEEP_GRACE_SECONDS=0)
def test_with_the_broker_down_the_approval_commits_and_the_sweep_delivers_once_when_it_returns(broker, caplog):
    # An earlier in-process worker may have left the root logger at ERROR (celery's worker
    # logging setup); the warnings checked here must not depend on test order.
    caplog.set_level(logging.WARNING, logger="ratings")
    cast = make_cast()
    rr = recommended(cast)
    # given the broker is down
    broker.stop()
    # when the approval is made
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Needed."
    )
    place_orders(cast, rr)
    # then it committed, and its notice and its order document wait
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.ISSUED
    row = Notification.objects.get(kind=NotificationKind.REQUEST_DECISION)
    assert sorted(Notification.objects.values_list("status", "attempts")) == [(NotificationStatus.PENDING, 0)] * 3
    assert mail.outbox == []
    assert f"notification.enqueue_failed id={row.pk} error=OperationalError" in caplog.text
    version = RatedOrderVersion.objects.get(order__source_request=rr)
    assert (version.generation_status, Document.objects.count()) == (GenerationStatus.PENDING, 0)
    assert f"order_document.enqueue_failed version={version.pk} error=OperationalError" in caplog.text
    assert version.received_at is None  # the supplier's clock waits for the notice
    # when the broker is back and the periodic sweep runs (twice, as beat would)
    broker.start()
    with worker():
        sweep_notifications.delay()
        sweep_order_documents.delay()
        wait_until(settled(NotificationStatus.SENT))
        wait_until(lambda: Document.objects.exists())
        sweep_notifications.delay()
        sweep_order_documents.delay()
        time.sleep(0.5)
    # then the notice went out exactly once
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert sorted(Notification.objects.values_list("status", "attempts")) == [(NotificationStatus.SENT, 1)] * 3
    assert sorted(m.subject for m in mail.outbox) == [
        f"{version.order.order_number}: new rated order (DO-HR)",
        f"{rr.reference}: request approved",
        f"{version.order.authorization.number}: rated orders to place (DO-HR)",
    ]
    version.refresh_from_db()
    assert (version.generation_status, Document.objects.filter(version=version).count()) == (
        GenerationStatus.GENERATED,
        1,
    )
    # and the supplier's clock started when its notice finally went out
    assert version.received_at == Notification.objects.get(kind=NotificationKind.ORDER_ISSUED).sent_at


@override_settings(
    EMAIL_BACKEND="tests.ratings.mail_backends.FlakySMTPBackend",
    NOTIFICATION_MAX_ATTEMPTS=4,
    NOTIFICATION_RETRY_BASE_SECONDS=0.05,
)
def test_a_transient_smtp_error_is_retried_and_the_notice_sent_once(broker):
    cast = make_cast()
    rr = recommended(cast)
    FlakySMTPBackend.failures_left = 2  # the next two sends fail
    with worker():
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Needed."
        )
        place_orders(cast, rr)
        wait_until(settled(NotificationStatus.SENT))
        time.sleep(0.3)
    # three notices (decision, orders to place, order issued); two sends failed between them, each retried
    rows = Notification.objects.all()
    assert {(row.status, row.last_error) for row in rows} == {(NotificationStatus.SENT, "")}
    assert sum(row.attempts for row in rows) == 5
    assert len(mail.outbox) == 3


@override_settings(
    EMAIL_BACKEND="tests.ratings.mail_backends.FailingSMTPBackend",
    NOTIFICATION_MAX_ATTEMPTS=3,
    NOTIFICATION_RETRY_BASE_SECONDS=0.05,
)
def test_an_smtp_error_that_persists_ends_failed_after_the_last_retry(broker):
    cast = make_cast()
    rr = recommended(cast)
    with worker():
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Needed."
        )
        place_orders(cast, rr)
        wait_until(settled(NotificationStatus.FAILED))
        time.sleep(0.3)
    rows = Notification.objects.all()
    assert [(row.status, row.attempts, row.last_error) for row in rows] == [
        (NotificationStatus.FAILED, 3, "SMTPException: 451 mail server busy")
    ] * 3
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND="tests.ratings.mail_backends.SlowBackend")
def test_two_workers_racing_for_one_notice_send_it_once():
    cast = make_cast()
    notice = Notification.objects.create(
        key="race:1",
        recipient=cast.applicant,
        email=cast.applicant.email,
        kind=NotificationKind.REQUEST_STATUS,
        subject="Race",
        body_text="Race",
        body_html="<p>Race</p>",
        next_attempt_at=timezone.now(),
    )
    mail.outbox.clear()
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            outcomes.append(notifications.notification_deliver(notification_id=notice.pk).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
