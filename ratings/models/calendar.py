"""Declared closure days: federal offices closed by Executive Order (e.g. a day of mourning or
the day before a holiday). They are non-working days for every clock (ratings.clock), kept by
HHS administrators; a withdrawn declaration stays on record."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ClosureDay(models.Model):
    day = models.DateField(help_text="The agency-local calendar date that is not a working day.")
    reason = models.CharField(max_length=300, help_text="The order that closed federal offices, e.g. EO 14116.")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(help_text="UTC.")
    is_active = models.BooleanField(default=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"], condition=models.Q(is_active=True), name="closure_day_one_active_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True) | models.Q(withdrawn_at__isnull=False),
                name="closure_day_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} ({self.reason})"
