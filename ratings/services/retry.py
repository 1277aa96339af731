"""A whole service transaction run again when the database broke it off: a deadlock, a
serialization failure, or a statement prepared before a migration changed its columns. The
database rolled the whole transaction back, so it can run again from the start; nothing of the
failed attempt (event, notice, on_commit work) survives it."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import NotSupportedError, OperationalError, transaction

from dpa_portal.prepared import StalePreparedStatement

logger = logging.getLogger("ratings.retry")
T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
MAX_ATTEMPTS = 3


def is_conflict(error: BaseException) -> bool:
    cause = error.__cause__
    # A statement prepared before a migration changed its columns: the rollback let it be
    # prepared again, so the transaction succeeds the next time.
    return isinstance(cause, StalePreparedStatement) or getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def retried(work: Callable[[], T], *, attempts: int = MAX_ATTEMPTS) -> T:
    """Run `work` (one whole transaction) again, at most `attempts` times in all, when the
    database broke it off to resolve a deadlock or a serialization conflict; full jitter
    between attempts so the colliding transactions do not meet again."""
    outermost = not transaction.get_connection().in_atomic_block
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (OperationalError, NotSupportedError) as error:
            if not outermost or attempt == attempts or not is_conflict(error):
                raise
            logger.warning("transaction.retry attempt=%s sqlstate=%s", attempt, error.__cause__.sqlstate)  # type: ignore[union-attr]
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise AssertionError("unreachable")
