"""Assertions shared by tests: a refused action changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit.constants import Outcome
from audit.models import AuditEvent
from dpa_portal.errors import ApplicationError, PermissionRefused
from ratings.models import RatingRequest


def last_sequence() -> int:
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    return last or 0


def events_after(sequence: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence"))


def assert_refused(
    capture_on_commit: Any,
    rating_request: RatingRequest,
    call: Callable[[], Any],
    error: type[ApplicationError],
    *,
    action: str = "",
    match: str | None = None,
) -> ApplicationError:
    """Run `call`, expect `error`, and prove nothing changed.

    State, version and data of the request stay as they were; no on-commit work is queued;
    a permission refusal writes exactly one 'denied' event for `action`, anything else none.
    """
    before = RatingRequest.objects.get(pk=rating_request.pk)
    start = last_sequence()
    with capture_on_commit() as callbacks, pytest.raises(error, match=match) as raised:
        call()
    assert callbacks == []
    after = RatingRequest.objects.get(pk=rating_request.pk)
    assert (after.state, after.version, after.updated_at) == (before.state, before.version, before.updated_at)
    new = events_after(start)
    if issubclass(error, PermissionRefused):
        assert [(e.action, e.outcome) for e in new] == [(f"rating_request.{action}", Outcome.DENIED)]
        assert new[0].reason == raised.value.message
        assert new[0].from_state == before.state
        assert new[0].to_state == ""
    else:
        assert new == []
    return raised.value
