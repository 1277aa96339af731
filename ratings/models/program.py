"""Item families of the program view: HHS's mapping of part numbers and descriptions to the
family of items whose supply it watches for concentration. An unmapped item is a family of its
own (its normalised part number, or its description when it has none)."""

from __future__ import annotations

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
