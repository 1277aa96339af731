"""Two officials act on the same request at the same moment, on real PostgreSQL connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from audit import services as audit
from audit.models import AuditEvent
from dpa_portal.errors import ConcurrentChange, InvalidState
from ratings.constants import RatingLevel, RequestState, Role
from ratings.models import RatingRequest, ReferenceCounter
from ratings.services.references import reference_allocate
from ratings.services.requests import workflow
from tests.factories import PASSWORD, make_cast, member, otp, request_in_state


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each thread has its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def recommended(transactional_db):
    cast = make_cast()
    second_official = member(cast.hhs, Role.APPROVING_OFFICIAL, approval_level=RatingLevel.DO)
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    return cast, second_official, rr


def _decisions(rr: RatingRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="ratings.RatingRequest",
            object_id=str(rr.pk),
            action__in=["rating_request.approve", "rating_request.deny"],
        )
    )


@pytest.mark.parametrize("with_version", [True, False])
def test_two_officials_deciding_at_once_one_wins(recommended, with_version):
    # given: two DO-level officials, neither the reviewer, both looking at version v
    cast, second_official, rr = recommended
    version = rr.version if with_version else None

    # when: one approves and the other denies at the same moment
    results = _race(
        lambda: workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), expected_version=version
        ),
        lambda: workflow.rating_request_deny(
            rating_request=rr, actor=second_official, reason="Not eligible.", expected_version=version
        ),
    )

    # then: exactly one succeeded; the other was told to reload; nothing half-done
    winners = [r for r in results if isinstance(r, RatingRequest)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert (len(winners), len(losers)) == (1, 1)
    loser = losers[0]
    if with_version:
        assert type(loser) is ConcurrentChange
        assert loser.message == "This request was changed by someone else; reload the page and try again."
    else:
        assert type(loser) is InvalidState
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert stored.state == winners[0].state
    assert stored.version == rr.version + 1
    assert stored.decided_by_id == (cast.approver.pk if stored.state == RequestState.ISSUED else second_official.pk)
    [decision] = _decisions(rr)
    assert (decision.outcome, decision.to_state) == ("success", stored.state)
    assert audit.verify_chain().ok is True


def test_two_officials_approving_at_once_one_wins(recommended):
    cast, second_official, rr = recommended

    results = _race(
        lambda: workflow.rating_request_approve(
            rating_request=rr,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            expected_version=rr.version,
        ),
        lambda: workflow.rating_request_approve(
            rating_request=rr,
            actor=second_official,
            password=PASSWORD,
            otp=otp(second_official),
            expected_version=rr.version,
        ),
    )

    assert sorted(type(r).__name__ for r in results) == ["ConcurrentChange", "RatingRequest"]
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.ISSUED
    assert len(_decisions(rr)) == 1
    assert audit.verify_chain().ok is True


def test_concurrent_reference_numbers_are_unique(transactional_db):
    # given: no counter yet for the year, so the threads also race to create it
    calls = [lambda: reference_allocate(kind="PRR", year=2031) for _ in range(6)]

    # when
    results = _race(*calls)

    # then
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert ReferenceCounter.objects.get(kind="PRR", year=2031).last_value == 6
