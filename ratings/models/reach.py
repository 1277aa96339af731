"""Reaching every supplier: the contact e-mail a request names for a supplier organization that
has no active portal contact. The order notice goes there with an invitation to the portal."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SupplierNomination(models.Model):
    rating_request = models.ForeignKey(
        "ratings.RatingRequest", on_delete=models.PROTECT, related_name="supplier_nominations"
    )
    supplier = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(help_text="Where the order notice and the invitation go.")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_at = models.DateTimeField(help_text="UTC.")
    invited = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The account invited when the order was issued.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rating_request", "supplier"], name="nomination_one_per_supplier"),
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.supplier}"
