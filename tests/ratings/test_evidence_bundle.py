"""A rating request's evidence bundle: what it holds of the request; the offline verifier passes
on a fresh bundle and names each kind of tampering."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from ratings.constants import CONFIDENTIALITY_LEGEND, RequestState
from ratings.services.requests import attachments, evidence, holds, workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, draft_request, otp, request_in_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def bundle_dir(cast, tmp_path) -> Path:
    rr = draft_request(cast)
    attachments.attachment_add(
        rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="quote.pdf"
    )
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    request_in_state(cast, RequestState.SUBMITTED)  # unrelated events interleave in the chain
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    rr = workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )
    workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Approved."
    )
    out = tmp_path / "bundle.zip"
    call_command("audit_bundle", rr.reference, "--out", str(out), stdout=io.StringIO())
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    return folder


def run_verifier(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )


def _lines(folder: Path) -> list[str]:
    return (folder / "events.jsonl").read_text().splitlines()


def _write(folder: Path, lines: list[str]) -> None:
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")


def test_bundle_contents_and_verifier_passes(bundle_dir):
    names = sorted(p.name for p in bundle_dir.iterdir())
    assert names == sorted(
        [
            "chain.py",
            "README.txt",
            "chain.jsonl",
            "checkpoint.json",
            "documents",
            "documents.json",
            "events.jsonl",
            "manifest.json",
            "public_key.pem",
            "request.json",
            "verify.py",
        ]
    )
    events = [json.loads(line) for line in _lines(bundle_dir)]
    actions = [e["action"] for e in events]
    assert actions[-1] == "audit.bundle" and "rating_request.approve" in actions and "attachment.add" in actions
    chain = (bundle_dir / "chain.jsonl").read_text().splitlines()
    assert len(chain) > len(events)  # the unrelated request's events sit between them
    data = json.loads((bundle_dir / "request.json").read_text())
    assert data["request"]["fields"]["state"] == RequestState.ISSUED
    assert len(data["line_items"]) == 1 and len(data["attachments"]) == 1 and len(data["deliveries"]) == 1
    assert data["legal_holds"] == [] and data["confidentiality"] == CONFIDENTIALITY_LEGEND
    [document] = json.loads((bundle_dir / "documents.json").read_text())
    assert document["sha256"] == document["recorded_sha256"]
    result = run_verifier(bundle_dir)
    assert result.returncode == 0, result.stdout
    assert "Evidence bundle verified" in result.stdout


def test_changed_event_line_is_named(bundle_dir):
    lines = _lines(bundle_dir)
    event = json.loads(lines[1])
    event["reason"] = "something else"
    lines[1] = json.dumps(event, sort_keys=True)
    _write(bundle_dir, lines)
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    assert (
        f"events.jsonl line 2 (sequence {event['sequence']}): content changed: it no longer matches its hash"
        in result.stdout
    )


def test_deleted_event_line_is_named(bundle_dir):
    lines = _lines(bundle_dir)
    removed = json.loads(lines[2])["sequence"]
    _write(bundle_dir, lines[:2] + lines[3:])
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    assert f"events.jsonl: sequence {removed} listed in the manifest is missing: a deleted line" in result.stdout


def test_inserted_event_line_is_named(bundle_dir):
    lines = _lines(bundle_dir)
    other = (
        AuditEvent.objects.exclude(sequence__in=[json.loads(line)["sequence"] for line in lines])
        .order_by("sequence")
        .last()
    )
    from audit.exports import event_record

    inserted = json.dumps(event_record(other), sort_keys=True)
    position = next(i for i, line in enumerate(lines) if json.loads(line)["sequence"] > other.sequence)
    _write(bundle_dir, [*lines[:position], inserted, *lines[position:]])
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    assert (
        f"events.jsonl line {position + 1} (sequence {other.sequence}): not listed in the manifest: an inserted line"
        in result.stdout
    )


def test_reordered_event_lines_are_named(bundle_dir):
    lines = _lines(bundle_dir)
    lines[1], lines[2] = lines[2], lines[1]
    _write(bundle_dir, lines)
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    moved = json.loads(lines[2])["sequence"]
    assert f"events.jsonl line 3 (sequence {moved}): comes after sequence" in result.stdout
    assert "lines were reordered" in result.stdout


def test_changed_document_is_named(bundle_dir):
    document = next((bundle_dir / "documents").iterdir())
    document.write_bytes(document.read_bytes() + b" ")
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    assert f"document '{document.name}' (documents/{document.name}): changed: SHA-256 does not match" in result.stdout
    assert document.name.endswith("-quote.pdf")


def test_bad_checkpoint_signature_is_named(bundle_dir):
    checkpoint = json.loads((bundle_dir / "checkpoint.json").read_text())
    checkpoint["signature"] = "00" * 64
    (bundle_dir / "checkpoint.json").write_text(json.dumps(checkpoint))
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    assert "checkpoint.json: signature is not valid (checkpoint changed or forged)" in result.stdout


def test_changed_manifest_breaks_its_signature(bundle_dir):
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    manifest["event_sequences"] = manifest["event_sequences"][1:]
    (bundle_dir / "manifest.json").write_text(json.dumps(manifest))
    result = run_verifier(bundle_dir)
    assert result.returncode == 1
    assert "manifest.json: signature is not valid" in result.stdout


def test_bundle_download_by_auditor_is_audited(client, cast):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    client.force_login(cast.auditor)
    response = client.get(reverse("audit:bundle", args=[rr.reference]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "verify.py" in archive.namelist()
    event = AuditEvent.objects.get(action="audit.bundle")
    assert (event.actor_id, event.reference) == (cast.auditor.pk, rr.reference)


def test_bundle_holds_the_requests_legal_holds(cast, tmp_path):
    rr = request_in_state(cast, RequestState.APPROVED)
    cast.hhsadmin.user_permissions.add(Permission.objects.get(codename="place_legalhold"))
    hold = holds.rating_request_hold_place(rating_request=rr, actor=cast.hhsadmin, reason="Matter 26-7")
    out = tmp_path / "bundle.zip"
    manifest = evidence.rating_request_bundle(reference=rr.reference, out=out)
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("request.json"))
    assert [(h["pk"], h["fields"]["reason"], h["fields"]["reference"]) for h in data["legal_holds"]] == [
        (hold.pk, "Matter 26-7", rr.reference)
    ]
    held = AuditEvent.objects.get(action="legal_hold.place")
    assert held.sequence in manifest["event_sequences"]


def test_bundle_of_an_unknown_reference_is_refused_and_recorded_nowhere(cast, tmp_path):
    with pytest.raises(CommandError, match="No request with reference 'PRR-1999-99999'"):
        call_command("audit_bundle", "PRR-1999-99999", "--out", str(tmp_path / "b.zip"), stdout=io.StringIO())
    assert not AuditEvent.objects.filter(action="audit.bundle").exists()
