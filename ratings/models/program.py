"""Item families of the program view: HHS's mapping of part numbers and descriptions to the
family of items whose supply it watches for concentration. An unmapped item is a family of its
own (its normalised part number, or its description when it has none)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ItemFamily(models.Model):
    name = models.CharField(max_length=120, unique=True)
    notes = models.TextField(blank=True, help_text="What the family covers and why it is watched.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "item families"
        permissions = [
            ("see_program_view", "Can see the program view (dashboard, supply network, concentration)"),
        ]

    def __str__(self) -> str:
        return self.name


class ItemFamilyKey(models.Model):
    """One normalised item key (`pn:<PART>` or `desc:<description>`) in a family; a key belongs
    to one family at most, so every item has one family."""

    family = models.ForeignKey(ItemFamily, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=310, unique=True)

    class Meta:
        ordering = ["family", "key"]

    def __str__(self) -> str:
        return self.key


class CapacityReport(models.Model):
    """What a supplier says it can make of an item family, and how soon: reported by its contact
    at the interval the program sets (Program.capacity_report_days). Never edited: each report is
    a new row, the latest one counts."""

    supplier = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="capacity_reports")
    program = models.ForeignKey("ratings.Program", on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(ItemFamily, on_delete=models.PROTECT, related_name="capacity_reports")
    capacity = models.DecimalField(
        max_digits=14, decimal_places=3, help_text="Quantity it can deliver in 30 days, in `unit`."
    )
    unit = models.CharField(max_length=30)
    lead_time_days = models.PositiveIntegerField(help_text="Days from order to first delivery.")
    reported_at = models.DateTimeField(help_text="UTC.")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["supplier", "family", "program", "reported_at"], name="capacity_latest_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=0), name="capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.family} by supplier {self.supplier_id}: {self.capacity} {self.unit}/30 days"
