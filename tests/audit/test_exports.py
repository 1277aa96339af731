"""Exports: streamed, constant memory, formula-safe CSV, signed manifests, background jobs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from audit import exports, selectors, services
from audit.models import AuditEvent, ExportJob
from ratings.constants import CONFIDENTIALITY_LEGEND
from tests.audit.helpers import bulk_events

pytestmark = pytest.mark.django_db


def _export(client, user, **params):
    client.force_login(user)
    return client.get(reverse("audit:export"), params)


def test_csv_export_streams_every_event_and_is_audited_before_streaming(client, cast):
    head = bulk_events(30)
    client.force_login(cast.auditor)
    response = client.get(reverse("audit:export"), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    export_event = AuditEvent.objects.get(action="audit.export")  # recorded before a byte was read
    job = ExportJob.objects.get()
    assert export_event.object_id == str(job.pk) and export_event.actor_id == cast.auditor.pk
    assert job.status == ExportJob.Status.STREAMING and job.up_to_sequence == export_event.sequence - 1
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [CONFIDENTIALITY_LEGEND]
    assert rows[1] == list(exports.COLUMNS)
    assert [int(r[0]) for r in rows[2:]] == list(range(1, job.up_to_sequence + 1))
    assert job.up_to_sequence >= head
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.manifest["event_count"] == job.up_to_sequence


def test_jsonl_export_lines_carry_verifiable_hashes(client, cast):
    bulk_events(5)
    response = _export(client, cast.auditor, format="jsonl", action="bench.event")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert json.loads(lines[0]) == {"confidentiality": CONFIDENTIALITY_LEGEND}
    records = [json.loads(line) for line in lines[1:]]
    assert [r["sequence"] for r in records] == [1, 2, 3, 4, 5]
    from audit.chain import compute_hash

    assert all(compute_hash(r) == r["hash"] for r in records)


@pytest.mark.parametrize("dangerous", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_csv_cells_that_would_be_formulas_are_neutralized(client, cast, dangerous):
    services.record(action="x.note", actor=cast.applicant, reason=dangerous)
    response = _export(client, cast.auditor, format="csv", action="x.note")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    reason = rows[2][list(exports.COLUMNS).index("reason")]
    assert reason == "'" + dangerous


def test_safe_cells_are_left_alone():
    assert exports.neutralize("plain text") == "plain text"
    assert exports.neutralize("") == ""


def test_manifest_is_signed_and_fails_after_a_one_byte_change(client, cast):
    bulk_events(12)
    response = _export(client, cast.auditor, format="jsonl", action="bench.event")
    body = b"".join(response.streaming_content)
    job = ExportJob.objects.get()
    manifest_response = client.get(reverse("audit:export-manifest", args=[job.pk]))
    manifest_bytes = manifest_response.content
    manifest = json.loads(manifest_bytes)
    assert manifest["event_count"] == 12
    assert (manifest["first_sequence"], manifest["last_sequence"]) == (1, 12)
    assert manifest["first_hash"] == AuditEvent.objects.get(sequence=1).hash
    assert manifest["last_hash"] == AuditEvent.objects.get(sequence=12).hash
    assert manifest["auditor"].endswith(f"({cast.auditor.username})")
    assert manifest["filters"] == {"action": "bench.event"}
    assert exports.verify_export(manifest_bytes, body) == []

    tampered = bytearray(manifest_bytes)
    position = manifest_bytes.index(b'"event_count": 12') + len('"event_count": 1')
    tampered[position] = ord("3")
    assert exports.verify_export(bytes(tampered), body) == [
        "manifest signature is not valid (the manifest was changed or not signed by this key)"
    ]
    changed = bytearray(body)
    changed[-5] ^= 1
    assert exports.verify_export(manifest_bytes, bytes(changed)) == [
        "export file does not match the manifest's SHA-256"
    ]


def test_manifest_names_latest_checkpoint(client, cast):
    from audit import checkpoints

    bulk_events(3)
    checkpoint = checkpoints.create_checkpoint()
    response = _export(client, cast.auditor, format="csv")
    b"".join(response.streaming_content)
    manifest = ExportJob.objects.get().manifest
    assert manifest["latest_checkpoint"]["sequence"] == checkpoint.sequence
    assert manifest["latest_checkpoint"]["signature"] == checkpoint.signature


def test_large_export_runs_as_background_job_with_progress_and_download(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_EXPORT_STREAM_LIMIT = 10
    bulk_events(25)
    client.force_login(cast.auditor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(reverse("audit:export"), {"format": "jsonl", "action": "bench.event"})
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audit:export-job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.processed == 25 and job.total == 25
    page = client.get(response["Location"])
    assert b'<progress max="100" value="100">' in page.content
    download = client.get(reverse("audit:export-download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert exports.verify_export(json.dumps(job.manifest).encode(), content) == []
    assert AuditEvent.objects.filter(action="audit.export_download", actor_id=cast.auditor.pk).count() == 1


def test_export_refused_for_non_auditor_writes_one_denied_event(client, cast):
    client.force_login(cast.applicant)
    before = AuditEvent.objects.order_by("-sequence").first().sequence
    response = client.get(reverse("audit:export"), {"format": "csv"})
    assert response.status_code == 403
    assert ExportJob.objects.count() == 0
    assert list(AuditEvent.objects.filter(sequence__gt=before).values_list("action", "outcome")) == [
        ("audit.workspace", "denied")
    ]


def test_bad_format_is_a_clear_error_and_writes_nothing(client, cast):
    client.force_login(cast.auditor)
    before = AuditEvent.objects.order_by("-sequence").first().sequence
    response = client.get(reverse("audit:export"), {"format": "xlsx"})
    assert response.status_code == 400
    assert response.content == b"format: choose csv or jsonl, not 'xlsx'."
    assert ExportJob.objects.count() == 0
    assert AuditEvent.objects.filter(sequence__gt=before).count() == 0


def test_streaming_walks_keyset_batches_and_flush_chunks_without_losing_or_repeating_an_event(cast):
    """2,000 events over seven keyset batches and several flush chunks. Memory and speed at
    100,000 events are measured by bench/audit_export.py (make bench)."""
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    head = bulk_events(2_000)
    job = exports.start(actor=cast.auditor, format="csv", filters=selectors.EventFilters(action="bench.event"))
    chunks = list(exports.stream(job, batch=300))
    # bytes leave about every FLUSH_BYTES (plus the row that crossed it), never all at once
    assert len(chunks) > 5 and max(len(chunk) for chunk in chunks) < exports.FLUSH_BYTES + 1_000
    body = b"".join(chunks)
    rows = list(csv.reader(io.StringIO(body.decode())))[2:]
    assert [int(row[0]) for row in rows] == list(range(before + 1, head + 1))
    job.refresh_from_db()
    assert (job.status, job.processed, job.manifest["event_count"]) == (ExportJob.Status.DONE, 2_000, 2_000)
    assert exports.verify_export(json.dumps(job.manifest).encode(), body) == []


def test_audit_export_command_writes_file_and_signed_manifest(tmp_path):
    from django.core.management import call_command

    bulk_events(8)
    services.record(action="x.other", actor=None, reason="=cmd")
    out = tmp_path / "trail.csv"
    call_command("audit_export", "--format", "csv", "--out", str(out), "--action", "bench.event", stdout=io.StringIO())
    manifest_bytes = exports.manifest_path(out).read_bytes()
    assert exports.verify_export(manifest_bytes, out.read_bytes()) == []
    manifest = json.loads(manifest_bytes)
    assert (manifest["event_count"], manifest["filters"], manifest["auditor"]) == (
        8,
        {"action": "bench.event"},
        "system",
    )
    event = AuditEvent.objects.get(action="audit.export")
    assert (event.source, event.data["format"]) == ("command", "csv")


def test_audit_export_command_rejects_bad_filter(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="date_from: give a date as YYYY-MM-DD"):
        call_command("audit_export", "--out", str(tmp_path / "x.jsonl"), "--date-from", "soon")
    assert AuditEvent.objects.filter(action="audit.export").count() == 0


def test_progress_page_of_a_running_job_refreshes_itself_without_javascript(client, cast):
    bulk_events(4)
    job = exports.start(actor=cast.auditor, format="jsonl", filters=exports.selectors.EventFilters(), background=False)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, total=200, processed=50)
    client.force_login(cast.auditor)
    page = client.get(reverse("audit:export-job", args=[job.pk]))
    assert page.status_code == 200
    assert b'<meta http-equiv="refresh" content="3">' in page.content
    assert b'<progress max="100" value="25">' in page.content
    assert client.get(reverse("audit:export-download", args=[job.pk])).status_code == 404
