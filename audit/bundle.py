"""Evidence bundle for one record: a ZIP an auditor can take away and check offline.

Contents: the record as JSON (its owner decides what: for a rating request, request.json with
its line items, deliveries, questions, attachment records, orders and holds, built by
ratings.services.requests.evidence), documents/ (its stored files: attachments and every signed
document) with documents.json (their SHA-256, and the audit event that recorded it), events.jsonl
(every audit event of the record and the records under it, full hashed content), chain.jsonl (the
chain segment of sequence/prev_hash/hash from the first of those events to the checkpointed
head), checkpoint.json (signed head), public_key.pem, manifest.json (signed: file hashes and
the list of event sequences), verify.py and chain.py (the hashing rules it uses).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from audit import checkpoints, exports, selectors, services, signing
from audit.access import Actor
from audit.actions import BUNDLE
from audit.chain import format_timestamp
from audit.constants import CONFIDENTIALITY_LEGEND, Outcome
from audit.models import AuditEvent

VERIFIER = Path(__file__).with_name("offline") / "verify.py"
CHAIN_RULES = Path(__file__).with_name("chain.py")


@dataclass(frozen=True)
class BundleDocument:
    """A stored file of the record: its name in documents/, the file, the SHA-256 recorded when it
    was stored, and the object (type, id) whose audit event recorded that SHA-256 in its data
    (a generated order document, an attachment): the offline verifier checks the file against it."""

    name: str
    file: Any  # a FieldFile (anything with .open("rb"))
    recorded_sha256: str = ""
    audited_as: tuple[str, str] | None = None
    about: dict[str, Any] | None = None  # what the document is, for the reader (order, version, signer)


def _audited_hash(events: QuerySet[AuditEvent], document: BundleDocument) -> tuple[int | None, str]:
    """The successful event in the bundle about the document's object that recorded its SHA-256:
    the one recording the SHA-256 stored with the file, else the latest (a regenerated document)."""
    if document.audited_as is None:
        return None, ""
    object_type, object_id = document.audited_as
    found = events.filter(object_type=object_type, object_id=object_id, outcome=Outcome.SUCCESS)
    recorded = [
        (sequence, str(data["sha256"]))
        for sequence, data in found.order_by("sequence").values_list("sequence", "data")
        if isinstance(data, dict) and data.get("sha256")
    ]
    matching = [pair for pair in recorded if pair[1] == document.recorded_sha256]
    if matching:
        return matching[0]
    return recorded[-1] if recorded else (None, "")


def _json(payload: Any) -> bytes:
    return json.dumps(payload, indent=2, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


def build(
    out: Path,
    *,
    subject: Model,
    reference: str,
    organization_id: int | None,
    record_name: str,
    record: dict[str, Any],
    documents: Iterable[BundleDocument],
    actor: Actor = None,
) -> dict[str, Any]:
    """Write the bundle ZIP of the record filed under `reference` to `out`; return its signed manifest.

    The record's owner gives what the bundle holds of it: `record` (written as `record_name`,
    with the confidentiality legend) and its stored `documents`. The events are every audit
    event of the reference's scope (the record and the records under it, audit.scopes), up to a
    checkpoint signed for the bundle.
    """
    exports.refuse_unless_may_export(actor, action=BUNDLE, reference=reference)
    with transaction.atomic():
        services.record(
            action=BUNDLE,
            actor=actor,
            target=subject,
            reference=reference,
            organization_id=organization_id,
        )
        checkpoint = checkpoints.create_checkpoint(actor=actor)
    assert checkpoint is not None  # the event just recorded makes the trail non-empty
    related = selectors.reference_history(reference).filter(sequence__lte=checkpoint.sequence)
    sequences = list(related.values_list("sequence", flat=True))
    hashes: dict[str, str] = {}
    listed = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def write_lines(name: str, lines: Iterable[str]) -> None:
            # Streamed into the ZIP line by line: a long chain segment never sits in memory.
            digest = hashlib.sha256()
            with archive.open(name, "w", force_zip64=True) as member:
                for line in lines:
                    data = (line + "\n").encode("utf-8")
                    digest.update(data)
                    member.write(data)
            hashes[name] = digest.hexdigest()

        for document in documents:
            path = f"documents/{document.name}"
            digest = hashlib.sha256()
            with document.file.open("rb") as source, archive.open(path, "w", force_zip64=True) as member:
                for block in iter(lambda: source.read(65536), b""):
                    digest.update(block)
                    member.write(block)
            hashes[path] = digest.hexdigest()
            sequence, audited = _audited_hash(related, document)
            listed.append(
                {
                    "name": document.name,
                    "path": path,
                    "sha256": hashes[path],
                    "recorded_sha256": document.recorded_sha256,
                    "audit_event_sequence": sequence,
                    "audited_sha256": audited,
                    **({"about": document.about} if document.about else {}),
                }
            )
        contents = (
            (record_name, _json({"confidentiality": CONFIDENTIALITY_LEGEND, **record})),
            ("documents.json", _json(listed)),
        )
        for name, content in contents:
            archive.writestr(name, content)
            hashes[name] = hashlib.sha256(content).hexdigest()
        write_lines(
            "events.jsonl",
            (
                json.dumps(exports.event_record(e), sort_keys=True, ensure_ascii=False)
                for e in related.iterator(chunk_size=2000)
            ),
        )
        chain_rows = (
            AuditEvent.objects.filter(sequence__gte=sequences[0], sequence__lte=checkpoint.sequence)
            .order_by("sequence")
            .values_list("sequence", "prev_hash", "hash")
        )
        write_lines(
            "chain.jsonl",
            (
                json.dumps({"sequence": s, "prev_hash": p, "hash": h}, sort_keys=True)
                for s, p, h in chain_rows.iterator(chunk_size=5000)
            ),
        )
        checkpoint_doc = checkpoints.as_dict(checkpoint)
        _, label, _ = services.actor_snapshot(actor)
        manifest = signing.sign_document(
            {
                "reference": reference,
                "generated_at": format_timestamp(timezone.now()),
                "generated_by": label,
                "event_sequences": sequences,
                "checkpoint": checkpoint_doc,
                "files": hashes,
                "confidentiality": CONFIDENTIALITY_LEGEND,
            }
        )
        archive.writestr("checkpoint.json", _json(checkpoint_doc))
        archive.writestr("public_key.pem", signing.public_key_pem())
        archive.writestr("manifest.json", _json(manifest))
        archive.writestr("verify.py", VERIFIER.read_bytes())
        archive.writestr("chain.py", CHAIN_RULES.read_bytes())
        archive.writestr("README.txt", f"{CONFIDENTIALITY_LEGEND}\n\nRun `python verify.py` in this folder.\n")
    return manifest
