"""Sixteen people at once, each on their own database connection: drafts created and submitted,
requests approved (orders issued, documents generated, notices sent after commit), suppliers
answering, orders amended and cancelled. Nothing deadlocks, nothing fails, the chain holds and
every notice goes out exactly once."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from audit import services as audit
from audit.models import AuditEvent
from ratings.constants import NotificationStatus, RatingLevel, RequestState, Role
from ratings.models import Notification, RatedOrder, RatedOrderVersion, RatingRequest
from ratings.services.orders import changes as order_changes
from ratings.services.requests import workflow
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import PASSWORD, draft_request, make_cast, member, otp, request_in_state
from tests.ratings.orders.conftest import amended_item

THREADS = 16
BOUND_SECONDS = 240


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()  # also flushes this backend's statistics (deadlock count)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BOUND_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    return results


def _order_of(rr: RatingRequest) -> RatedOrder:
    return rr.rated_orders.get()


@pytest.mark.django_db(transaction=True)
def test_sixteen_people_at_once_no_deadlock_no_error_chain_intact_each_notice_once(caplog):
    cast = make_cast()
    officials = [member(cast.hhs, Role.APPROVING_OFFICIAL, approval_level=RatingLevel.DO) for _ in range(8)]
    recommended = [request_in_state(cast, RequestState.RECOMMENDED) for _ in range(4)]
    orders = [_order_of(request_in_state(cast, RequestState.ISSUED)) for _ in range(8)]
    drafts = [draft_request(cast) for _ in range(2)]
    mail.outbox.clear()
    deadlocks_before = _deadlocks()

    def approve(rr: RatingRequest, official: Any) -> Any:
        return lambda: workflow.rating_request_approve(
            rating_request=rr, actor=official, password=PASSWORD, otp=otp(official), reason="Approved."
        )

    def accept(order: RatedOrder) -> Any:
        return lambda: supplier_responses.rated_order_accept(order=order, actor=cast.supplier)

    def amend(order: RatedOrder, official: Any) -> Any:
        return lambda: order_changes.rated_order_amend(
            order=order,
            actor=official,
            password=PASSWORD,
            otp=otp(official),
            reason="The line starts later.",
            items=[amended_item(order, required_dates=[dt.date.today() + dt.timedelta(days=90)])],
        )

    def cancel(order: RatedOrder, official: Any) -> Any:
        return lambda: order_changes.rated_order_cancel(
            order=order, actor=official, password=PASSWORD, otp=otp(official), reason="No longer needed."
        )

    def create_and_submit() -> Any:
        rr = draft_request(cast)
        return workflow.rating_request_submit(
            rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
        )

    def submit(rr: RatingRequest) -> Any:
        return lambda: workflow.rating_request_submit(
            rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
        )

    calls = [
        *(approve(rr, officials[i]) for i, rr in enumerate(recommended)),
        *(accept(order) for order in orders[:4]),
        amend(orders[4], officials[4]),
        amend(orders[5], officials[5]),
        cancel(orders[6], officials[6]),
        cancel(orders[7], officials[7]),
        create_and_submit,
        create_and_submit,
        *(submit(rr) for rr in drafts),
    ]
    assert len(calls) == THREADS

    with caplog.at_level(logging.WARNING, logger="ratings.retry"):
        results = _all_at_once(calls)

    errors = [repr(r) for r in results if isinstance(r, Exception)]
    assert errors == []
    assert _deadlocks() == deadlocks_before
    assert [r.message for r in caplog.records if r.name == "ratings.retry"] == []  # not even a retry
    assert audit.verify_chain().ok is True
    # every order issued or amended got its document; every immediate notice was sent, once
    assert not RatedOrderVersion.objects.exclude(generation_status="generated").exists()
    assert not Notification.objects.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]).exists()
    sent_keys = [message.extra_headers["X-DPA-Notification"] for message in mail.outbox]
    assert [key for key, times in Counter(sent_keys).items() if times > 1] == []
    assert sorted(sent_keys) == sorted(
        Notification.objects.filter(status=NotificationStatus.SENT, sent_at__isnull=False)
        .exclude(email="")
        .filter(key__in=sent_keys)
        .values_list("key", flat=True)
    )
    # the supplier's clock started exactly once for each issued version that was sent
    received = Counter(
        (e.object_id, e.data["version"]) for e in AuditEvent.objects.filter(action="rated_order.received")
    )
    assert [key for key, times in received.items() if times > 1] == []
    assert RatedOrder.objects.filter(status="cancelled").count() >= 2
    assert len(mail.outbox) > 0
