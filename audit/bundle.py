"""Evidence bundle for one request: a ZIP an auditor can take away and check offline.

Contents: request.json (the request, its line items, deliveries, information requests and
attachment records), documents/ (every attachment) with documents.json (their SHA-256),
events.jsonl (every audit event about the request, full hashed content), chain.jsonl (the
chain segment of sequence/prev_hash/hash from the first of those events to the checkpointed
head), checkpoint.json (signed head), public_key.pem, manifest.json (signed: file hashes and
the list of event sequences) and verify.py.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone

from audit import checkpoints, exports, selectors, services, signing
from audit.chain import format_timestamp
from audit.constants import CONFIDENTIALITY_LEGEND
from audit.models import AuditEvent
from dpa_portal.errors import NotFound
from ratings.models import RatingRequest

VERIFIER = Path(__file__).with_name("offline") / "verify.py"


def _json(payload: Any) -> bytes:
    return json.dumps(payload, indent=2, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


def _related(rr: RatingRequest) -> list[tuple[str, list[Any]]]:
    """Every object that points at the request directly (line items, attachments, holds, and
    whatever other modules add later, e.g. rated orders and their documents)."""
    related = []
    for relation in RatingRequest._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        name = relation.get_accessor_name()
        if name is None:
            continue
        if relation.one_to_one:
            obj = getattr(rr, name, None)
            objects = [obj] if obj is not None else []
        else:
            objects = list(getattr(rr, name).all())
        related.append((name, objects))
    return related


def request_data(rr: RatingRequest) -> dict[str, Any]:
    def dump(objects: Any) -> list[dict[str, Any]]:
        return json.loads(serializers.serialize("json", objects))

    data: dict[str, Any] = {"confidentiality": CONFIDENTIALITY_LEGEND, "request": dump([rr])[0]}
    for name, objects in _related(rr):
        data[name] = dump(objects)
    data["deliveries"] = dump([d for item in rr.line_items.all() for d in item.deliveries.all()])
    return data


def _documents(rr: RatingRequest) -> list[tuple[str, Any, str]]:
    """(display name, FieldFile, recorded sha256) of every stored file of the request's objects."""
    found = []
    for _, objects in _related(rr):
        for obj in objects:
            for field in obj._meta.fields:
                if isinstance(field, FileField):
                    file = getattr(obj, field.name)
                    if file:
                        label = getattr(obj, "original_name", "") or Path(file.name).name
                        found.append(
                            (f"{obj._meta.model_name}-{obj.pk}-{Path(label).name}", file, getattr(obj, "sha256", ""))
                        )
    return found


def build(reference: str, out: Path, *, actor: Any = None) -> dict[str, Any]:
    """Write the bundle ZIP for `reference` to `out`; return its signed manifest."""
    rr = RatingRequest.objects.filter(reference=reference).first()
    if rr is None:
        raise NotFound(f"No request with reference {reference!r}.")
    exports._refuse_unless_may_export(actor)
    with transaction.atomic():
        services.record(
            action="audit.bundle",
            actor=actor,
            target=rr,
            reference=rr.reference,
            organization_id=rr.applicant_organization_id,
        )
        checkpoint = checkpoints.create_checkpoint(actor=actor)
    assert checkpoint is not None  # the event just recorded makes the trail non-empty
    related = selectors.request_history(rr.reference).filter(sequence__lte=checkpoint.sequence)
    sequences = list(related.values_list("sequence", flat=True))
    hashes: dict[str, str] = {}
    documents = []
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

        for name, stored, recorded in _documents(rr):
            path = f"documents/{name}"
            digest = hashlib.sha256()
            with stored.open("rb") as source, archive.open(path, "w", force_zip64=True) as member:
                for block in iter(lambda: source.read(65536), b""):
                    digest.update(block)
                    member.write(block)
            hashes[path] = digest.hexdigest()
            documents.append({"name": name, "path": path, "sha256": hashes[path], "recorded_sha256": recorded})
        for name, content in (("request.json", _json(request_data(rr))), ("documents.json", _json(documents))):
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
                "reference": rr.reference,
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
        archive.writestr("README.txt", f"{CONFIDENTIALITY_LEGEND}\n\nRun `python verify.py` in this folder.\n")
    return manifest
