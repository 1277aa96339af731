"""A real Redis broker (our own redis-server, tests/ratings/celery_broker.py) and a real
in-process Celery worker: the order-issued notice is delivered once and its delivery starts
the clock."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from ratings.clock import supplier_response_due
from ratings.constants import NotificationKind, NotificationStatus, RequestState
from ratings.models import Notification, RatedOrderVersion
from ratings.services.requests import workflow
from ratings.services.suppliers import responses as supplier_responses
from ratings.tasks import deliver_notification
from tests.factories import PASSWORD, make_cast, otp, place_orders
from tests.ratings.celery_broker import recommended, wait_until, worker

pytestmark = pytest.mark.django_db(transaction=True)


def all_sent() -> bool:
    return not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_the_order_notice_is_delivered_once_and_starts_the_clock_then_the_answer_is_told(broker):
    cast = make_cast()
    rr = recommended(cast)
    with worker():
        # when the approval issues the order
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Needed."
        )
        place_orders(cast, rr)
        wait_until(all_sent)
        notice = Notification.objects.get(kind=NotificationKind.ORDER_ISSUED)
        # a second delivery task for the same row finds nothing to send
        deliver_notification.delay(notice.pk)
        time.sleep(0.5)
        # when the supplier accepts, its answer reaches the applicant and HHS intake
        order = rr.rated_orders.get()
        supplier_responses.rated_order_accept(order=order, actor=cast.supplier)
        wait_until(all_sent)
        time.sleep(0.3)
    notice.refresh_from_db()
    version = RatedOrderVersion.objects.get(order=order)
    # then the supplier's contact got exactly one order notice, and its send time is the receipt
    assert (notice.recipient, notice.attempts) == (cast.supplier, 1)
    assert [m.subject for m in mail.outbox].count(f"{order.order_number}: new rated order (DO-HR)") == 1
    assert version.received_at == notice.sent_at
    assert version.response_due_at == supplier_response_due(received_at=notice.sent_at, level="DO")
    answers = Notification.objects.filter(kind=NotificationKind.ORDER_RESPONSE)
    assert sorted(answers.values_list("recipient_id", "attempts")) == sorted(
        [(cast.applicant.pk, 1), (cast.signer.pk, 1), (cast.intake.pk, 1)]
    )
    assert len(mail.outbox) == 6  # decision, the signer's orders to place, order notice, three answers
    assert rr.state == RequestState.ISSUED
