"""Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header): a retried POST with the
same key and body gets the stored response and creates nothing; the same key with another body
is refused. Records are kept IDEMPOTENCY_KEY_HOURS (24) and then purged.

Transport bookkeeping, not business data: it is not audited (the call it replays was)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ratings.models import IdempotencyRecord, User

KEY_MAX_LENGTH = 255
# A claim whose request never finished (the worker died) stops blocking its key after this.
STALE_CLAIM = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    """The outcome of presenting a key: a fresh claim (record), a stored response (replay),
    another body under the same key (mismatch), or the same call still running (in_progress)."""

    record: IdempotencyRecord | None = None
    replay: IdempotencyRecord | None = None
    mismatch: bool = False
    in_progress: bool = False


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _expiry(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotency_claim(*, user: User, key: str, fingerprint: str) -> Claim:
    """Claim `key` for this call, or say why not. The claim commits at once, so a concurrent
    retry sees it (and is told the first call is still running)."""
    now = timezone.now()
    with transaction.atomic():
        existing = (
            IdempotencyRecord.objects.select_for_update(of=("self",), no_key=True).filter(user=user, key=key).first()
        )
        if existing is not None:
            stale_claim = existing.status_code is None and existing.created_at < now - STALE_CLAIM
            if existing.created_at < _expiry(now) or stale_claim:
                existing.delete()
                existing = None
        if existing is not None:
            if existing.fingerprint != fingerprint:
                return Claim(mismatch=True)
            if existing.status_code is None:
                return Claim(in_progress=True)
            return Claim(replay=existing)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return Claim(in_progress=True)
    return Claim(record=record)


def idempotency_store(*, record: IdempotencyRecord, status_code: int, body: Any, headers: dict[str, str]) -> None:
    """Keep the response for replays. A server error is not kept: the key may be retried."""
    if status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status_code, body=body, headers=headers)


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """The call was not carried out (throttled, unauthorised before the claim counted): free the key."""
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge(*, now: dt.datetime | None = None) -> int:
    """Periodic (beat): forget keys older than IDEMPOTENCY_KEY_HOURS."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_expiry(now or timezone.now())).delete()
    return deleted
