"""Signed checkpoints of the chain head, and their verification (NIST AU-9(3), AU-10)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit import services, signing
from audit.access import Actor
from audit.chain import format_timestamp
from audit.models import AuditCheckpoint, AuditEvent


def payload(sequence: int, head_hash: str, signed_at: str) -> dict[str, Any]:
    """What a checkpoint signature covers (verify.py in bundles uses the same dict)."""
    return {"sequence": sequence, "hash": head_hash, "signed_at": signed_at}


def as_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        **payload(checkpoint.sequence, checkpoint.hash, format_timestamp(checkpoint.signed_at)),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def create_checkpoint(*, actor: Actor = None) -> AuditCheckpoint | None:
    """Sign the current head. None when the trail is empty. Runs under the chain lock."""
    with transaction.atomic():
        services._lock_chain()
        head = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        if head is None:
            return None
        now = timezone.now()
        signed_at = format_timestamp(now)
        _, label, _ = services.actor_snapshot(actor)
        return AuditCheckpoint.objects.create(
            sequence=head["sequence"],
            hash=head["hash"],
            signed_at=now,
            key_id=signing.key_id(),
            signature=signing.sign(payload(head["sequence"], head["hash"], signed_at)),
            created_by_label=label,
        )


def latest() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-sequence", "-id").first()


@dataclass(frozen=True)
class CheckpointReport:
    ok: bool
    checked: int
    problems: list[str]


def verify_checkpoints(head_sequence: int, *, progress: Callable[[int], None] | None = None) -> CheckpointReport:
    """Every checkpoint's signature holds and the (already verified) chain reaches its head."""
    problems: list[str] = []
    if not AuditCheckpoint.objects.exists():
        return CheckpointReport(True, 0, [])
    key = signing.public_key()
    checked = 0
    for checkpoint in AuditCheckpoint.objects.order_by("id").iterator(chunk_size=1000):
        checked += 1
        body = payload(checkpoint.sequence, checkpoint.hash, format_timestamp(checkpoint.signed_at))
        if not signing.verify(body, checkpoint.signature, key):
            problems.append(f"checkpoint #{checkpoint.pk} (sequence {checkpoint.sequence}): signature is not valid")
            continue
        if checkpoint.sequence > head_sequence:
            problems.append(
                f"checkpoint #{checkpoint.pk} signed sequence {checkpoint.sequence} but the chain ends at "
                f"{head_sequence}: events were removed after the checkpoint"
            )
            continue
        row = AuditEvent.objects.filter(sequence=checkpoint.sequence).values_list("hash", flat=True).first()
        if row != checkpoint.hash:
            problems.append(
                f"checkpoint #{checkpoint.pk} (sequence {checkpoint.sequence}): the chain no longer has the "
                "signed hash at that sequence: the chain was rewritten"
            )
        if progress is not None and checked % 1000 == 0:
            progress(checked)
    return CheckpointReport(not problems, checked, problems)
