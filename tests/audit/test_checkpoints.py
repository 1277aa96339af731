"""Signed checkpoints: audit_verify finds events removed after a checkpoint and forged signatures."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit import checkpoints
from audit.models import AuditCheckpoint, AuditEvent
from tests.audit.helpers import bulk_events


def _verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_checkpoint_command_signs_the_head_and_verify_accepts_it():
    head = bulk_events(20)
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.sequence, checkpoint.hash) == (head, AuditEvent.objects.get(sequence=head).hash)
    assert out.getvalue().startswith(f"Checkpoint #{checkpoint.pk}: sequence {head}")
    assert "1 signed checkpoints verified" in _verify()


@pytest.mark.django_db
def test_periodic_task_makes_a_checkpoint(settings):
    from audit import tasks

    assert settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]["task"] == "audit.tasks.checkpoint"
    bulk_events(3)
    pk = tasks.checkpoint.delay().get()
    assert AuditCheckpoint.objects.get(pk=pk).sequence == 3


@pytest.mark.django_db
def test_checkpoints_are_append_only():
    bulk_events(2)
    checkpoint = checkpoints.create_checkpoint()
    with pytest.raises(DatabaseError, match="audit_auditcheckpoint is append-only"), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(sequence=1)
    with pytest.raises(DatabaseError, match="audit_auditcheckpoint is append-only"), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).delete()
    assert AuditCheckpoint.objects.get().sequence == 2


def _without_triggers(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")


@pytest.mark.django_db(transaction=True)
def test_verify_detects_removal_of_newest_events_after_a_checkpoint():
    bulk_events(10)
    checkpoint = checkpoints.create_checkpoint()
    _without_triggers("DELETE FROM audit_auditevent WHERE sequence > %s", [7])
    # The remaining chain is internally consistent: only the checkpoint shows what was lost.
    with pytest.raises(CommandError) as error:
        _verify()
    assert str(error.value) == (
        f"Audit checkpoints FAILED: checkpoint #{checkpoint.pk} signed sequence 10 but the chain ends at 7: "
        "events were removed after the checkpoint"
    )


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_rewritten_chain_under_a_checkpoint():
    bulk_events(5)
    checkpoint = checkpoints.create_checkpoint()
    _without_triggers("DELETE FROM audit_auditevent", [])
    bulk_events(6)  # a whole new, self-consistent chain
    with pytest.raises(CommandError) as error:
        _verify()
    assert f"checkpoint #{checkpoint.pk} (sequence 5): the chain no longer has the signed hash" in str(error.value)


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_forged_checkpoint_signature():
    bulk_events(4)
    checkpoint = checkpoints.create_checkpoint()
    forged = "ab" * 64
    _without_triggers("UPDATE audit_auditcheckpoint SET signature = %s WHERE id = %s", [forged, checkpoint.pk])
    with pytest.raises(CommandError) as error:
        _verify()
    assert str(error.value) == (
        f"Audit checkpoints FAILED: checkpoint #{checkpoint.pk} (sequence 4): signature is not valid"
    )


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_checkpoint_signed_by_another_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from audit import signing
    from audit.chain import format_timestamp

    bulk_events(4)
    checkpoint = checkpoints.create_checkpoint()
    other = Ed25519PrivateKey.generate()
    body = checkpoints.payload(checkpoint.sequence, checkpoint.hash, format_timestamp(checkpoint.signed_at))
    signature = other.sign(signing.canonical_json(body)).hex()
    _without_triggers("UPDATE audit_auditcheckpoint SET signature = %s WHERE id = %s", [signature, checkpoint.pk])
    with pytest.raises(CommandError, match="signature is not valid"):
        _verify()


def test_ensure_audit_key_creates_a_private_dev_key_once(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_PATH = tmp_path / "keys" / "audit.pem"
    first, second = io.StringIO(), io.StringIO()
    call_command("ensure_audit_key", stdout=first)
    key = settings.AUDIT_SIGNING_KEY_PATH.read_bytes()
    assert first.getvalue().startswith(f"Created a development audit signing key at {settings.AUDIT_SIGNING_KEY_PATH}.")
    assert settings.AUDIT_SIGNING_KEY_PATH.stat().st_mode & 0o777 == 0o600
    call_command("ensure_audit_key", stdout=second)
    assert second.getvalue().startswith(f"Audit signing key present at {settings.AUDIT_SIGNING_KEY_PATH}.")
    assert settings.AUDIT_SIGNING_KEY_PATH.read_bytes() == key
