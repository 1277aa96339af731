"""Legal holds and retention of rating requests (the generic rules are in audit.retention)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from audit import retention
from audit.models import LegalHold
from ratings.models import RatingRequest


def request_holds(rating_request: RatingRequest) -> QuerySet[LegalHold]:
    return retention.holds_on(rating_request)


def request_active_hold(rating_request: RatingRequest) -> LegalHold | None:
    return retention.active_hold(rating_request)


def _last_activity(rating_request: RatingRequest) -> list[dt.datetime | None]:
    return [rating_request.updated_at, rating_request.decided_at]


def request_retention_date(rating_request: RatingRequest) -> dt.datetime:
    """The request's records are kept at least RECORD_RETENTION_YEARS after its last activity."""
    return retention.retention_date(rating_request.reference, _last_activity(rating_request))


def request_may_dispose(rating_request: RatingRequest, now: dt.datetime | None = None) -> tuple[bool, str]:
    return retention.may_dispose(
        rating_request,
        reference=rating_request.reference,
        last_activity=_last_activity(rating_request),
        now=now,
        noun="request",
    )
