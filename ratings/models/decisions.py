"""The approving official's decision on a rating request, beside what was requested.

HHS may approve a request at a lower level than requested (a DX request at DO, 45 CFR 101.31
levels), and for some of its items only or for smaller quantities (the elements of 45 CFR
101.32(a): items, quantities, delivery dates). The decision is written once, in the approval
transaction, with the reason for each difference; the applicant sees it, the rating authorization
lists what was approved and prints what was not.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from ratings.constants import RatingLevel


class ItemOutcome(models.TextChoices):
    APPROVED = "approved", "Approved as requested"
    REDUCED = "reduced", "Reduced"
    EXCLUDED = "excluded", "Not authorized"


class ApprovalDecision(models.Model):
    rating_request = models.OneToOneField(
        "ratings.RatingRequest", on_delete=models.PROTECT, related_name="approval_decision"
    )
    requested_level = models.CharField(max_length=2, choices=RatingLevel.choices)
    approved_level = models.CharField(max_length=2, choices=RatingLevel.choices)
    level_reason = models.TextField(blank=True, help_text="Why the level approved is lower than requested.")
    items = models.JSONField(
        help_text=(
            "One entry per requested item, in the request's order: number, description, unit, outcome, "
            "requested and approved quantity, reason, and per delivery date the requested and approved split."
        )
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Never higher than requested: an upgrade is a change to the authorization, not an approval.
            models.CheckConstraint(
                condition=models.Q(approved_level=models.F("requested_level"))
                | models.Q(requested_level=RatingLevel.DX, approved_level=RatingLevel.DO),
                name="decision_level_not_higher",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_level=models.F("requested_level")) | ~models.Q(level_reason=""),
                name="decision_lower_level_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision on {self.rating_request_id}: {self.approved_level}"

    @property
    def is_lower_level(self) -> bool:
        return self.approved_level != self.requested_level

    @property
    def changed_items(self) -> list[dict[str, Any]]:
        """The items not approved as requested (excluded or reduced), in the request's order."""
        return [item for item in self.items if item["outcome"] != ItemOutcome.APPROVED]

    @property
    def is_partial(self) -> bool:
        return bool(self.changed_items)

    def item(self, number: int) -> dict[str, Any] | None:
        return next((item for item in self.items if item["number"] == number), None)

    @property
    def level_text(self) -> str:
        """ "Approved at DO (requested DX): reason", or "" when approved at the level requested."""
        if not self.is_lower_level:
            return ""
        return f"Approved at {self.approved_level} (requested {self.requested_level}): {self.level_reason}"

    def rows(self) -> list[dict[str, Any]]:
        """Every item with its outcome in words (for the applicant's decision table)."""
        return [{**item, "outcome_text": item_outcome_text(item)} for item in self.items]

    def lines(self) -> list[str]:
        """The decision in words, as the authorization, the notice and the applicant's pages say it."""
        lines = [self.level_text] if self.is_lower_level else []
        for item in self.changed_items:
            lines.append(
                f"Item {item['number']}, {item['description']}: {item_outcome_text(item)}. Reason: {item['reason']}"
            )
        return lines


def item_outcome_text(item: dict[str, Any]) -> str:
    """ "Not authorized", or "Reduced from 12 to 4 each" with each reduced split date."""
    if item["outcome"] == ItemOutcome.EXCLUDED:
        return "Not authorized"
    if item["outcome"] == ItemOutcome.APPROVED:
        return "Approved as requested"
    text = f"Reduced from {item['requested_quantity']} to {item['approved_quantity']} {item['unit']}"
    splits = [
        f"{d['date']}: {d['requested']} to {d['approved']}"
        for d in item["deliveries"]
        if d["requested"] != d["approved"]
    ]
    return f"{text} ({'; '.join(splits)})" if splits else text
