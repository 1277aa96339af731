"""Each certified submission of a request, kept whole: the content HHS received, and its return.

A request returned for correction is edited by the applicant and resubmitted; the earlier
submission stays as it was received (21 CFR 11.10(e): changes never obscure earlier records), so
reviewers compare any two submissions field by field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ratings.constants import RequestState


class RequestSubmission(models.Model):
    request = models.ForeignKey("ratings.RatingRequest", on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField(help_text="1 for the first submission, then 2, 3... after each return.")
    submitted_at = models.DateTimeField(help_text="UTC.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certified_name = models.CharField(max_length=200, help_text="Full name typed as signature for this submission.")
    content = models.JSONField(
        help_text="Everything submitted: details, justification, items with suppliers and dates, attachments."
    )
    applicant_note = models.TextField(blank=True, help_text="What the applicant says it corrected.")
    returned_at = models.DateTimeField(null=True, blank=True, help_text="When HHS returned this submission (UTC).")
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_from = models.CharField(max_length=20, choices=RequestState.choices, blank=True)
    return_reason = models.TextField(blank=True, help_text="What HHS asked the applicant to correct.")

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="submission_number_unique"),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | ~models.Q(return_reason=""),
                name="submission_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.number} of request {self.request_id}"
