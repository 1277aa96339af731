"""Auditors' systems, with only a token: search by a request's reference (everything under it),
export with a signed manifest, download the file and the manifest, take the evidence bundle;
every export and download is audited, and nobody else may."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from audit import signing
from audit.models import AuditEvent, ExportJob
from ratings.constants import RequestState
from tests.factories import request_in_state
from tests.ratings.api.test_requests_api import client_for

pytestmark = pytest.mark.django_db


def _head() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _after(head: int) -> list[tuple[str, str, int | None]]:
    return list(
        AuditEvent.objects.filter(sequence__gt=head).order_by("sequence").values_list("action", "outcome", "actor_id")
    )


def test_an_auditors_system_searches_exports_and_downloads_with_a_token(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.APPROVED)
    order = rr.rated_orders.get()
    auditor = client_for(cast.auditor)

    found = auditor.get("/api/v1/audit/events/", {"reference": rr.reference, "object_type": "ratings.RatedOrder"})
    assert [(e["action"], e["reference"]) for e in found.json()["results"]] == [
        ("rated_order.place", order.order_number)
    ]

    head = _head()
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds it after the commit
        created = auditor.post(
            "/api/v1/audit/exports/",
            {"format": "jsonl", "reference": rr.reference},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k1",
        )
    assert created.status_code == 201, created.content
    job = ExportJob.objects.get()
    assert created["Location"].endswith(f"/api/v1/audit/exports/{job.pk}/")
    assert created.json()["status"] in ("queued", "done")
    body = auditor.get(created["Location"]).json()
    assert (body["status"], body["format"], body["filters"]) == ("done", "jsonl", {"reference": rr.reference})
    references = [rr.reference, rr.authorization.number, order.order_number]
    expected = AuditEvent.objects.filter(reference__in=references, sequence__lte=head)
    assert body["event_count"] == expected.count()

    # the same key again creates nothing
    again = auditor.post(
        "/api/v1/audit/exports/",
        {"format": "jsonl", "reference": rr.reference},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert (again.status_code, again["Idempotent-Replayed"], ExportJob.objects.count()) == (201, "true", 1)

    listed = auditor.get("/api/v1/audit/exports/").json()["results"]
    assert [e["id"] for e in listed] == [job.pk]
    file = auditor.get(body["download_url"])
    assert (file.status_code, file["Content-Type"]) == (200, "application/x-ndjson")
    assert (file["X-Content-Type-Options"], file["Content-Disposition"]) == (
        "nosniff",
        f'attachment; filename="{ExportJob.objects.get().file.split("/")[-1]}"',
    )
    content = b"".join(file.streaming_content)
    lines = [json.loads(line) for line in content.decode().splitlines()[1:]]
    assert [e["sequence"] for e in lines] == sorted(expected.values_list("sequence", flat=True))
    manifest = auditor.get(body["manifest_url"])
    assert manifest.status_code == 200
    assert signing.verify_document(manifest.content)
    assert manifest.json()["sha256"] == hashlib.sha256(content).hexdigest() == body["sha256"]

    # the export and both downloads are audited, as the auditor, with the token that acted
    events = AuditEvent.objects.filter(sequence__gt=head, action__startswith="audit.export").order_by("sequence")
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        ("audit.export", "success", cast.auditor.pk),
        ("audit.export_download", "success", cast.auditor.pk),
        ("audit.export_manifest", "success", cast.auditor.pk),
    ]
    assert all(e.data["credential"].startswith("api_token:") for e in events)


def test_the_evidence_bundle_downloads_with_a_token_and_is_audited(cast):
    rr = request_in_state(cast, RequestState.APPROVED)
    head = _head()
    response = client_for(cast.auditor).get(f"/api/v1/audit/bundles/{rr.reference}/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert {"verify.py", "chain.py", "manifest.json", "documents.json"} <= set(archive.namelist())
        events = [json.loads(line) for line in archive.read("events.jsonl").decode().splitlines()]
    assert "rated_order.place" in {e["action"] for e in events}
    assert ("audit.bundle", "success", cast.auditor.pk) in _after(head)
    missing = client_for(cast.auditor).get("/api/v1/audit/bundles/PRR-1999-99999/")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/problem+json")


def test_nobody_else_searches_exports_or_takes_bundles_and_each_attempt_is_recorded(cast):
    rr = request_in_state(cast, RequestState.APPROVED)
    applicant = client_for(cast.applicant)
    head = _head()
    answers = [
        applicant.get("/api/v1/audit/events/"),
        applicant.post("/api/v1/audit/exports/", {"format": "csv"}, format="json"),
        applicant.get(f"/api/v1/audit/bundles/{rr.reference}/"),
    ]
    assert [(a.status_code, a["Content-Type"]) for a in answers] == [(403, "application/problem+json")] * 3
    assert not ExportJob.objects.exists()
    assert _after(head) == [("audit.workspace", "denied", cast.applicant.pk)] * 3
