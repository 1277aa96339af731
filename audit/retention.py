"""Retention (NIST AU-11; RECORD_RETENTION_YEARS) and legal holds.

Nothing may be disposed of before its retention date and never while a legal hold is active;
audit events past retention are first written to a signed archive (`audit_archive`). There is
no delete path in any UI: `may_dispose` is the single gate any future disposal job must pass.

A hold names its record generically (see LegalHold). The app that owns the record decides who
may place or release a hold and audits it (for rating requests: ratings.services.requests.holds,
for HHS staff holding `audit.place_legalhold`); the functions here only write the hold rows, in
the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from audit import exports, selectors, services
from audit.access import Actor, stored_user
from audit.models import ArchiveRecord, AuditEvent, ExportJob, LegalHold


def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return _years_later(now or timezone.now(), -int(settings.RECORD_RETENTION_YEARS))


def retention_date(reference: str, last_activity: Iterable[dt.datetime | None]) -> dt.datetime:
    """A record is kept at least RECORD_RETENTION_YEARS after its last activity: the latest of
    the moments its owner gives and of the audit events filed under its reference."""
    last_event = (
        AuditEvent.objects.filter(reference=reference)
        .order_by("-sequence")
        .values_list("occurred_at", flat=True)
        .first()
    )
    anchor = max(filter(None, [*last_activity, last_event]))
    return _years_later(anchor, int(settings.RECORD_RETENTION_YEARS))


def holds_on(target: Model) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(object_type=target._meta.label, object_id=str(target.pk))


def active_hold(target: Model) -> LegalHold | None:
    return holds_on(target).filter(released_at__isnull=True).first()


def may_dispose(
    target: Model,
    *,
    reference: str,
    last_activity: Iterable[dt.datetime | None],
    now: dt.datetime | None = None,
    noun: str = "record",
) -> tuple[bool, str]:
    now = now or timezone.now()
    if active_hold(target) is not None:
        return False, f"A legal hold is active on this {noun}."
    keep_until = retention_date(reference, last_activity)
    if now < keep_until:
        return False, f"Retained until {keep_until:%Y-%m-%d}."
    last_archived = (
        ArchiveRecord.objects.order_by("-last_sequence").values_list("last_sequence", flat=True).first() or 0
    )
    last_event = (
        AuditEvent.objects.filter(reference=reference).order_by("-sequence").values_list("sequence", flat=True).first()
        or 0
    )
    if last_event > last_archived:
        return False, "Its audit events have not been archived yet (manage.py audit_archive)."
    return True, ""


def place_hold(*, target: Model, reference: str, reason: str, actor: Actor) -> LegalHold:
    """Write an active hold on `target` (one at a time: a database constraint backs the caller's check)."""
    return LegalHold.objects.create(
        object_type=target._meta.label,
        object_id=str(target.pk),
        reference=reference,
        reason=reason,
        placed_by=stored_user(actor),
        placed_at=timezone.now(),
    )


def release_hold(hold: LegalHold, *, reason: str, actor: Actor) -> LegalHold:
    hold.released_at = timezone.now()
    hold.released_by = stored_user(actor)
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    return hold


def archive(out_dir: Path, *, now: dt.datetime | None = None) -> ArchiveRecord | None:
    """Write every not-yet-archived event older than the retention cutoff to a signed JSONL export."""
    cutoff = retention_cutoff(now)
    after = ArchiveRecord.objects.order_by("-last_sequence").values_list("last_sequence", flat=True).first() or 0
    last = (
        AuditEvent.objects.filter(sequence__gt=after, occurred_at__lt=cutoff)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if last is None:
        return None
    job = ExportJob.objects.create(
        format="jsonl",
        # Not search filters: the archive is the contiguous range after..last, so ranges never overlap.
        filters={"retention_cutoff": cutoff.isoformat(), "after_sequence": after},
        up_to_sequence=last,
        status=ExportJob.Status.RUNNING,
        requested_by_label="system (retention archive)",
    )
    path = out_dir / f"audit-archive-{after + 1}-{last}.jsonl"
    builder = exports.ManifestBuilder(job)
    with path.open("wb") as handle:
        for chunk, events in exports.render(
            "jsonl", selectors.iterate_ascending(selectors.EventFilters(), up_to_sequence=last, after=after)
        ):
            builder.feed(chunk, events)
            handle.write(chunk)
    manifest = builder.manifest()
    exports.manifest_path(path).write_bytes(json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
    with transaction.atomic():
        record = ArchiveRecord.objects.create(
            first_sequence=after + 1,
            last_sequence=last,
            event_count=builder.count,
            cutoff=cutoff,
            path=str(path),
            sha256=manifest["sha256"],
            manifest=manifest,
            created_at=timezone.now(),
        )
        job.status = ExportJob.Status.DONE
        job.manifest = manifest
        job.processed = builder.count
        job.finished_at = timezone.now()
        job.save()
        services.record(
            action="audit.archive",
            actor=None,
            target=record,
            data={"first_sequence": after + 1, "last_sequence": last, "sha256": manifest["sha256"], "path": str(path)},
        )
    return record
