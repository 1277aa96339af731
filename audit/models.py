"""The tamper-evident audit trail (21 CFR 11.10(e), NIST AU-3, AU-9(3)).

Append-only: database triggers (migration 0003_append_only_triggers) refuse UPDATE, DELETE and TRUNCATE, and each
row carries the SHA-256 of its canonical content chained to the previous row's hash, so a
change made behind the triggers' back is found by `manage.py audit_verify`.
The trail outlives what it describes: no foreign key cascades into it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audit.constants import Outcome, Source


class AuditEvent(models.Model):
    sequence = models.BigIntegerField(unique=True, help_text="Position in the hash chain, from 1, no gaps.")
    occurred_at = models.DateTimeField(help_text="When the action happened (UTC).")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the trail outlives users
        db_index=False,  # audit_actor_seq_idx serves it: every index is paid on each append
        related_name="+",
        help_text="Who acted; empty for system actions.",
    )
    actor_label = models.CharField(max_length=300, help_text="Snapshot of the actor's name and username.")
    actor_roles = models.JSONField(default=list, blank=True, help_text="Snapshot of the actor's roles.")
    action = models.CharField(max_length=80, help_text="What happened, e.g. rating_request.submit.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True, help_text="Human reference, e.g. PRR-2026-00042.")
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="Request reference the event belongs to, for history and search.",
    )
    organization_id = models.BigIntegerField(null=True, blank=True, help_text="Organization whose data is concerned.")
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="Changed fields: {field: [before, after]}.")
    data = models.JSONField(default=dict, blank=True, help_text="Other facts about the event.")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SYSTEM)
    request_id = models.CharField(max_length=64, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique: audit_hash_unique (a field's unique adds a LIKE twin)

    class Meta:
        ordering = ["-sequence"]
        # Each index costs every append (the chain's one serial write): one per way the trail is
        # searched, no single-column twin of a (column, sequence) index.
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_occurred_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "sequence"], name="audit_actor_seq_idx"),
            models.Index(fields=["organization_id", "sequence"], name="audit_org_seq_idx"),
            # Auditor search (audit/selectors.py): each filter walks its index in sequence order.
            models.Index(fields=["reference", "sequence"], name="audit_ref_seq_idx"),
            # One index for an exact action and for "any rating request action" (action LIKE
            # 'rating_request.%') in any collation: pattern ops also serve equality.
            models.Index(
                fields=["action", "sequence"],
                name="audit_action_seq_idx",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(fields=["object_label", "sequence"], name="audit_label_seq_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_positive"),
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
        ]
        default_permissions = ("view",)
        permissions = [("export_auditevent", "Can export the audit trail")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_label}".strip()


class AuditCheckpoint(models.Model):
    """A signed statement 'the chain's head was (sequence, hash) at signed_at' (NIST AU-9(3), AU-10).

    Append-only like the events (triggers in the checkpoint migration). `audit_verify` checks
    every signature and that the chain still reaches every checkpointed head.
    """

    sequence = models.BigIntegerField(help_text="Sequence number of the chain head signed.")
    hash = models.CharField(max_length=64, help_text="Hash of the chain head signed.")
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=64, help_text="SHA-256 of the raw Ed25519 public key.")
    signature = models.CharField(max_length=128, help_text="Ed25519 signature (hex) of the canonical payload.")
    created_by_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["sequence"], name="audit_checkpoint_seq_idx")]

    def __str__(self) -> str:
        return f"Checkpoint #{self.pk} at sequence {self.sequence}"


class ExportJob(models.Model):
    """One export of the trail: streamed in the page request or built in the background."""

    class Status(models.TextChoices):
        STREAMING = "streaming", "Streaming"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    format = models.CharField(max_length=10)
    filters = models.JSONField(default=dict, blank=True)
    up_to_sequence = models.BigIntegerField(help_text="Chain head when the export started; later events excluded.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.BigIntegerField(default=0, help_text="Estimated number of events (for the progress bar).")
    processed = models.BigIntegerField(default=0)
    file = models.CharField(max_length=300, blank=True, help_text="Path in private storage.")
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by_label = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"Export #{self.pk} ({self.format}, {self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(self.processed * 100 / self.total)) if self.total else 0


class LegalHold(models.Model):
    """While a hold is active nothing about the held record may be disposed of, retention or not.

    The record is named the way an audit event names its object (app label and model, primary
    key, human reference), with no foreign key, so the trail's app depends on no other app.
    """

    object_type = models.CharField(
        max_length=80, help_text="What is held: app label and model, e.g. ratings.RatingRequest."
    )
    object_id = models.CharField(max_length=64, help_text="Primary key of the held record.")
    reference = models.CharField(
        max_length=40, blank=True, help_text="Human reference of the held record, e.g. PRR-2026-00042."
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at"]
        permissions = [("place_legalhold", "Can place and release legal holds")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_hold_object_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"],
                condition=models.Q(released_at__isnull=True),
                name="audit_hold_one_active",
            )
        ]

    def __str__(self) -> str:
        held = self.reference or f"{self.object_type} #{self.object_id}"
        return f"Legal hold on {held} ({'active' if self.released_at is None else 'released'})"


class ArchiveRecord(models.Model):
    """Events past retention written to a signed export (append-only)."""

    first_sequence = models.BigIntegerField()
    last_sequence = models.BigIntegerField()
    event_count = models.BigIntegerField()
    cutoff = models.DateTimeField(help_text="Events that occurred before this were past retention.")
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    manifest = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_sequence"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"Archive of sequences {self.first_sequence}-{self.last_sequence}"
