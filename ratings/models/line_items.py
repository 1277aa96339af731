"""The items of a rating request: one order to be rated each, its supplier, its required delivery
dates, and what the supplier quoted against them."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MinValueValidator
from django.db import models


class RequestLineItem(models.Model):
    request = models.ForeignKey("ratings.RatingRequest", on_delete=models.CASCADE, related_name="line_items")
    position = models.PositiveIntegerField(default=1)
    supplier = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="+")
    po_number = models.CharField("supplier's order / PO number", max_length=60)
    description = models.CharField("item description", max_length=300)
    part_number = models.CharField(max_length=100, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=30, help_text="Unit of measure, e.g. each, case, kg.")
    ship_to = models.CharField(max_length=300, blank=True)
    # Application only (never printed on the order): the reviewer sets the quote against the
    # required dates to judge the need, and the value to judge its weight.
    quoted_date = models.DateField(
        "supplier's quoted or promised delivery date",
        null=True,
        blank=True,
        help_text="What the supplier offers without a rating.",
    )
    order_value = models.DecimalField(
        "order value (US dollars)", max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_item_quantity_positive"),
            models.UniqueConstraint(fields=["request", "position"], name="line_item_position_unique"),
            models.CheckConstraint(
                condition=models.Q(order_value__isnull=True) | models.Q(order_value__gt=0),
                name="line_item_order_value_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.quantity} {self.unit})"

    @property
    def first_required_date(self) -> dt.date | None:
        dates = [delivery.required_date for delivery in self.deliveries.all()]
        return min(dates) if dates else None

    @property
    def quoted_days_late(self) -> int | None:
        """Days the supplier's quote falls after the first required date (negative: before it);
        None without a quote or a date."""
        first = self.first_required_date
        if self.quoted_date is None or first is None:
            return None
        return (self.quoted_date - first).days

    @property
    def quoted_gap_text(self) -> str:
        days = self.quoted_days_late
        if days is None:
            return ""
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} after the first required date"
        if days < 0:
            return f"{-days} day{'s' if days != -1 else ''} before the first required date"
        return "on the first required date"


class LineItemDelivery(models.Model):
    """A required delivery date (45 CFR 101.32(a)(2)): a real calendar date, never 'ASAP'."""

    line_item = models.ForeignKey(RequestLineItem, on_delete=models.CASCADE, related_name="deliveries")
    required_date = models.DateField()
    quantity = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Quantity due that day, if split.",
    )

    class Meta:
        ordering = ["required_date"]
        constraints = [
            models.UniqueConstraint(fields=["line_item", "required_date"], name="delivery_date_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__gt=0),
                name="delivery_quantity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.required_date.isoformat()
