"""A change to a rated order the supplier agreed to, as its signed record (45 CFR 101.36(d): "a
change which is agreed upon between the supplier and the customer" is not a new rated order).

The party that placed the order (or HHS) proposes the amended items; a contact of the supplier
re-authenticates and signs its agreement to exactly those items; the amendment that applies
them is then not significant. Never edited after signing; a new proposal is a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChangeAgreementStatus(models.TextChoices):
    PROPOSED = "proposed", "Awaiting the supplier's agreement"
    AGREED = "agreed", "Agreed by the supplier (signed)"
    APPLIED = "applied", "Applied by an amendment"


class ChangeAgreement(models.Model):
    order = models.ForeignKey("ratings.RatedOrder", on_delete=models.PROTECT, related_name="change_agreements")
    version = models.ForeignKey(
        "ratings.RatedOrderVersion",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version the change starts from; an agreement to change another version does not apply.",
    )
    items = models.JSONField(help_text="The amended items exactly as agreed (an items_snapshot).")
    changes = models.JSONField(help_text="What changes, per item: before → after (as the amendment prints it).")
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=ChangeAgreementStatus.choices, default=ChangeAgreementStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    # The supplier's signature (21 CFR 11.50): who, printed name, title, when, meaning.
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    printed_name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=150, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    meaning = models.CharField(max_length=200, blank=True)
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the order, version and items agreed (21 CFR 11.70)."
    )
    applied_in = models.ForeignKey(
        "ratings.RatedOrderVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["order", "proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ChangeAgreementStatus.PROPOSED)
                | (
                    models.Q(agreed_by__isnull=False) & models.Q(agreed_at__isnull=False) & ~models.Q(content_sha256="")
                ),
                name="change_agreement_signed_when_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"Change to {self.order_id} v{self.version_id} ({self.get_status_display()})"
