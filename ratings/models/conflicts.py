"""Conflicts of interest: an HHS staff member declared conflicted with an organization.

While a declaration is active the staff member is never offered that organization's requests
and takes no workflow action on them (ratings.permissions). Withdrawn declarations stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ConflictOfInterest(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts_of_interest")
    organization = models.ForeignKey(
        "ratings.Organization", on_delete=models.PROTECT, related_name="conflicts_of_interest"
    )
    reason = models.TextField(help_text="Why the staff member may not act on the organization's requests.")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(help_text="UTC.")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = "conflict of interest"
        verbose_name_plural = "conflicts of interest"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="conflict_one_active_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.organization}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
