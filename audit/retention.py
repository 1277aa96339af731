"""Retention (NIST AU-11; RECORD_RETENTION_YEARS) and legal holds.

Nothing may be disposed of before its retention date and never while a legal hold is active;
audit events past retention are first written to a signed archive (`audit_archive`). There is
no delete path in any UI: `may_dispose` is the single gate any future disposal job must pass.

Who places holds: HHS staff holding the `audit.place_legalhold` permission (granted to counsel
or records officers). Auditors are read-only and refused; so are users without the permission.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import exports, selectors, services
from audit.constants import Outcome
from audit.models import ArchiveRecord, AuditEvent, ExportJob, LegalHold
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import Role
from ratings.models import RatingRequest
from ratings.permissions import has_role


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    years = int(settings.RECORD_RETENTION_YEARS)
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_date(rr: RatingRequest) -> dt.datetime:
    """The request's records are kept at least RECORD_RETENTION_YEARS after its last activity."""
    last = (
        AuditEvent.objects.filter(reference=rr.reference)
        .order_by("-sequence")
        .values_list("occurred_at", flat=True)
        .first()
    )
    anchor = max(filter(None, [rr.updated_at, rr.decided_at, last]))
    years = int(settings.RECORD_RETENTION_YEARS)
    try:
        return anchor.replace(year=anchor.year + years)
    except ValueError:
        return anchor.replace(year=anchor.year + years, day=28)


def active_hold(rr: RatingRequest) -> LegalHold | None:
    return rr.legal_holds.filter(released_at__isnull=True).first()


def may_dispose(rr: RatingRequest, now: dt.datetime | None = None) -> tuple[bool, str]:
    now = now or timezone.now()
    if active_hold(rr) is not None:
        return False, "A legal hold is active on this request."
    if now < retention_date(rr):
        return False, f"Retained until {retention_date(rr):%Y-%m-%d}."
    last_archived = (
        ArchiveRecord.objects.order_by("-last_sequence").values_list("last_sequence", flat=True).first() or 0
    )
    last_event = (
        AuditEvent.objects.filter(reference=rr.reference)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
        or 0
    )
    if last_event > last_archived:
        return False, "Its audit events have not been archived yet (manage.py audit_archive)."
    return True, ""


def _check_hold_actor(actor: Any, rr: RatingRequest, action: str) -> None:
    problem = None
    if has_role(actor, Role.AUDITOR):
        problem = "Auditors have read-only access and take no action."
    elif not actor.has_perm("audit.place_legalhold"):
        problem = "Only staff with the legal-hold permission can place or release holds."
    if problem:
        with transaction.atomic():
            services.record(
                action=action,
                actor=actor,
                target=rr,
                outcome=Outcome.DENIED,
                reference=rr.reference,
                organization_id=rr.applicant_organization_id,
                reason=problem,
            )
        raise PermissionRefused(problem)


def place_hold(*, request: RatingRequest, actor: Any, reason: str) -> LegalHold:
    _check_hold_actor(actor, request, "legal_hold.place")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the hold is placed (e.g. the matter or litigation).", field="reason")
    with transaction.atomic():
        if active_hold(request) is not None:
            raise InvalidState(f"Request {request.reference} is already on legal hold.")
        hold = LegalHold.objects.create(request=request, reason=reason, placed_by=actor, placed_at=timezone.now())
        services.record(
            action="legal_hold.place",
            actor=actor,
            target=request,
            reference=request.reference,
            organization_id=request.applicant_organization_id,
            reason=reason,
            data={"hold_id": hold.pk},
        )
    return hold


def release_hold(*, request: RatingRequest, actor: Any, reason: str) -> LegalHold:
    _check_hold_actor(actor, request, "legal_hold.release")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the hold is released.", field="reason")
    with transaction.atomic():
        hold = request.legal_holds.select_for_update().filter(released_at__isnull=True).first()
        if hold is None:
            raise InvalidState(f"Request {request.reference} has no active legal hold.")
        hold.released_at = timezone.now()
        hold.released_by = actor
        hold.release_reason = reason
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        services.record(
            action="legal_hold.release",
            actor=actor,
            target=request,
            reference=request.reference,
            organization_id=request.applicant_organization_id,
            reason=reason,
            data={"hold_id": hold.pk},
        )
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
