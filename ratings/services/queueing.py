"""Queueing a Celery task for one row, by the task's registered name (tasks import services, never
the other way round). A broker failure is logged, never raised: the row stays pending and its
sweep queues it again, so the action that caused the work is never undone by the broker."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from celery import signature
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def enqueue(task: str, row_id: int, *, log: logging.Logger, failed: str, countdown: float | None = None) -> bool:
    """`failed` names the log line and its id key, e.g. "order_document.enqueue_failed version"."""
    options: dict[str, Any] = {} if countdown is None else {"countdown": countdown}
    try:
        signature(task, args=(row_id,)).apply_async(**options)
    except Exception as exc:
        log.warning("%s=%s error=%s", failed, row_id, type(exc).__name__)
        return False
    return True


SWEEP_BATCH = 500


def requeue_stale(
    pending: QuerySet[Any], *, since: str, enqueue_row: Callable[[int], bool], now: dt.datetime | None = None
) -> list[int]:
    """Periodic (beat): queue again the rows of `pending` whose `since` time is older than the
    grace period (their first queueing was lost), oldest first, at most SWEEP_BATCH a run."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.DOCUMENT_SWEEP_GRACE_SECONDS)
    stale = list(pending.filter(**{f"{since}__lte": cutoff}).order_by(since).values_list("pk", flat=True)[:SWEEP_BATCH])
    for row_id in stale:
        enqueue_row(row_id)
    return stale
