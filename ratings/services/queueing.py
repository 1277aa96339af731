"""Queueing a Celery task for one row, by the task's registered name (tasks import services, never
the other way round). A broker failure is logged, never raised: the row stays pending and its
sweep queues it again, so the action that caused the work is never undone by the broker."""

from __future__ import annotations

import logging
from typing import Any

from celery import signature


def enqueue(task: str, row_id: int, *, log: logging.Logger, failed: str, countdown: float | None = None) -> bool:
    """`failed` names the log line and its id key, e.g. "order_document.enqueue_failed version"."""
    options: dict[str, Any] = {} if countdown is None else {"countdown": countdown}
    try:
        signature(task, args=(row_id,)).apply_async(**options)
    except Exception as exc:
        log.warning("%s=%s error=%s", failed, row_id, type(exc).__name__)
        return False
    return True
