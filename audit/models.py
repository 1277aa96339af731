"""The tamper-evident audit trail (21 CFR 11.10(e), NIST AU-3, AU-9(3)).

Append-only: database triggers (migration 0002) refuse UPDATE, DELETE and TRUNCATE, and each
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
        related_name="+",
        help_text="Who acted; empty for system actions.",
    )
    actor_label = models.CharField(max_length=300, help_text="Snapshot of the actor's name and username.")
    actor_roles = models.JSONField(default=list, blank=True, help_text="Snapshot of the actor's roles.")
    action = models.CharField(max_length=80, db_index=True, help_text="What happened, e.g. rating_request.submit.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True, help_text="Human reference, e.g. PRR-2026-00042.")
    reference = models.CharField(
        max_length=40,
        blank=True,
        db_index=True,
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
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_occurred_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "sequence"], name="audit_actor_seq_idx"),
            models.Index(fields=["organization_id", "sequence"], name="audit_org_seq_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_positive")]
        default_permissions = ("view",)
        permissions = [("export_auditevent", "Can export the audit trail")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_label}".strip()
