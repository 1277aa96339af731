"""A service transaction the database breaks off (deadlock, serialization failure) runs again
from the start, at most three times, and never leaves a duplicate event, notice or mail."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg.errors
import pytest
from django.core import mail
from django.db import OperationalError

from audit import services as audit
from audit.models import AuditEvent
from ratings.constants import NotificationStatus, RequestState
from ratings.models import Notification, RatedOrderVersion, RatingRequest
from ratings.services import retry, transition
from ratings.services.orders import clocks as order_clocks
from ratings.services.requests import workflow
from tests.factories import PASSWORD, make_cast, otp, place_orders, request_in_state


def _deadlock() -> OperationalError:
    try:
        raise psycopg.errors.DeadlockDetected("deadlock detected")
    except psycopg.errors.DeadlockDetected as cause:
        error = OperationalError("deadlock detected")
        error.__cause__ = cause
        return error


def _failing(times: int, call: Callable[..., Any]) -> Callable[..., Any]:
    """`call`, after raising a deadlock the first `times` times."""
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise _deadlock()
        return call(*args, **kwargs)

    wrapper.calls = calls  # type: ignore[attr-defined]
    return wrapper


@pytest.fixture
def in_review(transactional_db):
    cast = make_cast()
    return cast, request_in_state(cast, RequestState.SUBMITTED)


def test_a_deadlocked_transition_runs_again_and_is_recorded_once(in_review, monkeypatch):
    cast, rr = in_review
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)
    flaky = _failing(2, audit.record)
    monkeypatch.setattr(transition.audit, "record", flaky)
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    old_notices = set(Notification.objects.values_list("pk", flat=True))

    done = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)

    assert flaky.calls["n"] >= 3  # two broken attempts, then the one that committed (and its notices' events)
    assert (done.state, done.version) == (RequestState.IN_REVIEW, rr.version + 1)
    events = AuditEvent.objects.filter(sequence__gt=before, action__startswith="rating_request.")
    assert list(events.values_list("action", flat=True)) == ["rating_request.accept_for_review"]
    # its notices were written once (by the attempt that committed) and each sent once
    sent = Counter(
        AuditEvent.objects.filter(sequence__gt=before, action="notification.sent").values_list("object_id", flat=True)
    )
    assert set(sent.values()) == {1}
    new_notices = Notification.objects.exclude(pk__in=old_notices)
    assert new_notices.exists()
    assert {n.status for n in new_notices} == {NotificationStatus.SENT}
    assert sorted(sent) == sorted(str(n.pk) for n in new_notices)
    assert audit.verify_chain().ok is True


def test_after_three_deadlocks_the_error_surfaces_and_nothing_is_written(in_review, monkeypatch):
    cast, rr = in_review
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)
    flaky = _failing(3, audit.record)
    monkeypatch.setattr(transition.audit, "record", flaky)
    before = (AuditEvent.objects.count(), Notification.objects.count())

    with pytest.raises(OperationalError):
        workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)

    assert flaky.calls["n"] == 3
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.version) == (RequestState.SUBMITTED, rr.version)
    assert (AuditEvent.objects.count(), Notification.objects.count()) == before


def test_other_errors_are_not_retried(in_review, monkeypatch):
    cast, rr = in_review
    calls = {"n": 0}

    def broken(**kwargs: Any) -> None:
        calls["n"] += 1
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(transition.audit, "record", broken)
    with pytest.raises(OperationalError):
        workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    assert calls["n"] == 1


def test_a_notice_whose_sent_step_deadlocks_is_sent_once_and_starts_the_clock_once(transactional_db, monkeypatch):
    # given: marking the supplier's order notice sent hits a deadlock the first time
    cast = make_cast()
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)
    flaky = _failing(1, order_clocks.order_notice_delivered)
    monkeypatch.setattr(order_clocks, "order_notice_delivered", flaky)
    mail.outbox.clear()
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    # when: the order is issued; its notices are delivered after the commit (eager tasks)
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Approved."
    )
    place_orders(cast, rr)

    # then: every notice was mailed once and is recorded as sent once
    version = RatedOrderVersion.objects.get(order__source_request=rr)
    sent_keys = Counter(message.extra_headers["X-DPA-Notification"] for message in mail.outbox)
    assert set(sent_keys.values()) == {1}
    notices = Notification.objects.filter(key__in=sent_keys)
    assert {n.status for n in notices} == {NotificationStatus.SENT}
    sent_events = Counter(
        AuditEvent.objects.filter(sequence__gt=before, action="notification.sent").values_list("object_id", flat=True)
    )
    assert sorted(sent_events) == sorted(str(n.pk) for n in notices) and set(sent_events.values()) == {1}
    # and the supplier's clock started exactly once, at the sent time of its notice
    assert flaky.calls["n"] >= 2
    assert version.received_at is not None and version.response_due_at is not None
    assert AuditEvent.objects.filter(action="rated_order.received").count() == 1
    assert audit.verify_chain().ok is True
