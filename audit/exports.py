"""Exports of the audit trail: CSV or JSON Lines, streamed in constant memory, with a signed
manifest (filters, count, first/last sequence and hash, file SHA-256, latest checkpoint, time,
auditor). Every export is an audit event, recorded with the export record before any byte goes out.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from celery import signature
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from audit import actions, checkpoints, copy_export, selectors, services, signing
from audit.access import Actor, may_audit, stored_user
from audit.actions import AuditAction
from audit.chain import format_timestamp
from audit.constants import CONFIDENTIALITY_LEGEND, Outcome
from audit.models import AuditEvent, ExportJob
from dpa_portal.errors import PermissionRefused, ValidationFailed

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
COLUMNS = copy_export.COLUMNS
FORMULA_PREFIXES = copy_export.FORMULA_PREFIXES
FLUSH_BYTES = copy_export.FLUSH_BYTES
RUN_EXPORT_TASK = "audit.tasks.run_export"
NOT_QUEUED = "The export could not be queued (the task queue is unavailable). Start it again in a few minutes."
logger = logging.getLogger(__name__)
neutralize = copy_export.neutralize


def event_record(event: AuditEvent) -> dict[str, Any]:
    """The event as exported: exactly the hashed fields (canonical timestamp) plus its hash."""
    fields = services.event_fields(event)
    fields["occurred_at"] = format_timestamp(event.occurred_at)
    fields["hash"] = event.hash
    return fields


def row_record(row: dict[str, Any]) -> dict[str, Any]:
    """Same as event_record, from a `.values()` row (what the streaming export reads)."""
    record = dict(row)
    record["occurred_at"] = format_timestamp(row["occurred_at"])
    return record


def csv_cells(record: dict[str, Any]) -> list[str]:
    return [copy_export.cell(record[column]) for column in COLUMNS]


def render(format: str, batches: Iterable[list[dict[str, Any]]]) -> Iterator[tuple[bytes, list[dict[str, Any]]]]:
    """Yield (bytes, events in those bytes) chunks of about FLUSH_BYTES."""
    buffer = io.StringIO()
    writer = copy_export.csv_writer(buffer)
    if format == "csv":
        buffer.write(copy_export.header())
    else:
        buffer.write(json.dumps({"confidentiality": CONFIDENTIALITY_LEGEND}) + "\n")
    pending: list[dict[str, Any]] = []
    for batch in batches:
        for event in batch:
            record = row_record(event)
            if format == "csv":
                writer.writerow(csv_cells(record))
            else:
                buffer.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
            pending.append(event)
            if buffer.tell() >= FLUSH_BYTES:
                yield buffer.getvalue().encode("utf-8"), pending
                buffer.seek(0)
                buffer.truncate()
                pending = []
    yield buffer.getvalue().encode("utf-8"), pending


class ManifestBuilder:
    """Follows the bytes and events of an export and signs the manifest at the end."""

    def __init__(self, job: ExportJob):
        self.job = job
        self.digest = hashlib.sha256()
        self.count = 0
        self.first: dict[str, Any] | None = None
        self.last: dict[str, Any] | None = None

    def feed(self, chunk: bytes, events: list[dict[str, Any]]) -> None:
        self.digest.update(chunk)
        if events:
            self.first = self.first or events[0]
            self.last = events[-1]
            self.count += len(events)

    def manifest(self) -> dict[str, Any]:
        checkpoint = checkpoints.latest()
        document = {
            "export_id": self.job.pk,
            "format": self.job.format,
            "filters": self.job.filters,
            "up_to_sequence": self.job.up_to_sequence,
            "event_count": self.count,
            "first_sequence": self.first["sequence"] if self.first else None,
            "first_hash": self.first["hash"] if self.first else None,
            "last_sequence": self.last["sequence"] if self.last else None,
            "last_hash": self.last["hash"] if self.last else None,
            "sha256": self.digest.hexdigest(),
            "latest_checkpoint": checkpoints.as_dict(checkpoint) if checkpoint else None,
            "generated_at": format_timestamp(timezone.now()),
            "auditor": self.job.requested_by_label,
            "confidentiality": CONFIDENTIALITY_LEGEND,
        }
        return signing.sign_document(document)


def start(*, actor: Actor, format: str, filters: selectors.EventFilters, background: bool = False) -> ExportJob:
    """Create the export record and its audit event in one transaction, before any output."""
    if format not in FORMATS:
        raise ValidationFailed(f"format: choose csv or jsonl, not {format!r}.", field="format")
    refuse_unless_may_export(actor)
    _, label, _ = services.actor_snapshot(actor)
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        job = ExportJob.objects.create(
            format=format,
            filters=filters.as_dict(),
            up_to_sequence=head,
            status=ExportJob.Status.QUEUED if background else ExportJob.Status.STREAMING,
            requested_by=stored_user(actor) if actor is not None and actor.is_authenticated else None,
            requested_by_label=label,
        )
        services.record(
            action="audit.export",
            actor=actor,
            target=job,
            data={"format": format, "filters": job.filters, "up_to_sequence": head, "background": background},
        )
        if background:
            # By its registered name (AuditConfig.ready imports audit.tasks): the task module
            # imports this one.
            job_id = job.pk
            transaction.on_commit(lambda: _queue(job_id))
    return job


def _queue(job_id: int) -> None:
    """After the commit. A broker failure is never raised (the export and its event are committed):
    the job is marked failed with what to do, so the auditor sees it instead of a 500."""
    try:
        signature(RUN_EXPORT_TASK, args=(job_id,)).apply_async()
    except Exception as exc:
        logger.warning("audit_export.enqueue_failed job=%s error=%s", job_id, type(exc).__name__)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, error=NOT_QUEUED
        )


def refuse_unless_may_export(actor: Actor, *, action: AuditAction = actions.EXPORT, reference: str = "") -> None:
    """Exports and bundles are for auditors (and the system); anyone else's attempt is a refusal,
    committed as a "denied" event on its own."""
    if actor is None:  # management commands and tasks run as the system
        return
    if not may_audit(actor):
        message = "Only auditors and HHS staff allowed to view the audit trail can export it."
        with transaction.atomic(durable=True):
            services.record(action=action, actor=actor, outcome=Outcome.DENIED, reason=message, reference=reference)
        raise PermissionRefused(message)


def chunks(job: ExportJob, builder: ManifestBuilder, *, batch: int = 2000) -> Iterator[bytes]:
    """The export's bytes, each chunk fed to the manifest as it goes out. CSV on PostgreSQL comes
    straight from `COPY ... TO STDOUT` (the same bytes as `render`); otherwise keyset batches."""
    filters = selectors.EventFilters.parse(job.filters)
    if job.format == "csv" and connection.vendor == "postgresql":
        builder.count, builder.first, builder.last = copy_export.span(filters, job.up_to_sequence)
        for chunk in copy_export.csv_chunks(filters, job.up_to_sequence):
            builder.feed(chunk, [])
            yield chunk
        return
    for chunk, events in render(
        job.format, selectors.iterate_ascending(filters, up_to_sequence=job.up_to_sequence, batch=batch)
    ):
        builder.feed(chunk, events)
        yield chunk


def stream(job: ExportJob, *, batch: int = 2000) -> Iterator[bytes]:
    """The export's bytes; when the last byte is out the job holds the signed manifest."""
    builder = ManifestBuilder(job)
    yield from chunks(job, builder, batch=batch)
    job.manifest = builder.manifest()
    job.processed = builder.count
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["manifest", "processed", "status", "finished_at"])


def write_file(
    job: ExportJob,
    path: Path,
    *,
    progress_every: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write the export to `path` and the manifest beside it (`<path>.manifest.json`)."""
    builder = ManifestBuilder(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    last_report = 0
    written = 0
    with path.open("wb") as handle:
        for chunk in chunks(job, builder):
            handle.write(chunk)
            written += chunk.count(b"\n")
            if written - last_report >= progress_every:
                last_report = written
                ExportJob.objects.filter(pk=job.pk).update(processed=min(written, builder.count))
                if progress is not None:
                    progress(min(written, builder.count))
    manifest = builder.manifest()
    manifest_path(path).write_bytes(json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
    job.manifest = manifest
    job.processed = builder.count
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["manifest", "processed", "status", "finished_at"])
    return manifest


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def manifest_name(job: ExportJob) -> str:
    return f"audit-export-{job.pk}.{job.format}.manifest.json"


def storage_name(job: ExportJob) -> str:
    return f"audit-exports/export-{job.pk}.{job.format}"


def run_background(job_id: int) -> None:
    """Build a queued export into private storage (idempotent: a finished job is left alone)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return
    filters = selectors.EventFilters.parse(job.filters)
    job.total = selectors.events(filters, up_to_sequence=job.up_to_sequence).count()
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["total", "status"])
    name = storage_name(job)
    try:
        write_file(job, Path(storages["private"].path(name)))
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=str(error)[:2000])
        raise
    ExportJob.objects.filter(pk=job.pk).update(file=name)


def open_stored(job: ExportJob, *, actor: Actor) -> Any:
    """The stored file of a finished export, its download audited first (None when it was streamed)."""
    if job.status != ExportJob.Status.DONE or not job.file:
        return None
    refuse_unless_may_export(actor, action=actions.EXPORT_DOWNLOAD)
    with transaction.atomic():
        services.record(
            action=actions.EXPORT_DOWNLOAD, actor=actor, target=job, data={"sha256": job.manifest.get("sha256")}
        )
    return storages["private"].open(job.file, "rb")


def manifest_download(job: ExportJob, *, actor: Actor) -> dict[str, Any] | None:
    """The signed manifest of a finished export, its download audited first (None until written)."""
    if not job.manifest:
        return None
    refuse_unless_may_export(actor, action=actions.EXPORT_MANIFEST)
    with transaction.atomic():
        services.record(
            action=actions.EXPORT_MANIFEST, actor=actor, target=job, data={"sha256": job.manifest.get("sha256")}
        )
    return dict(job.manifest)


def verify_export(manifest_bytes: bytes, export_bytes: bytes) -> list[str]:
    """Problems with an export and its manifest; empty when both hold."""
    problems = []
    if not signing.verify_document(manifest_bytes):
        problems.append("manifest signature is not valid (the manifest was changed or not signed by this key)")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        return [*problems, "manifest is not valid JSON"]
    if hashlib.sha256(export_bytes).hexdigest() != manifest.get("sha256"):
        problems.append("export file does not match the manifest's SHA-256")
    return problems


def stream_limit() -> int:
    return int(settings.AUDIT_EXPORT_STREAM_LIMIT)
