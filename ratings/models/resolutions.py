"""What follows a supplier's rejection or a failure to perform: the customer accepting the date
the supplier offered (15 CFR 700.13(b)), and HHS's special priorities assistance cases with
their directives (15 CFR 700.50-700.55, 700.62 [U for the HRPAS numbering])."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from ratings.constants_assistance import (
    AssistanceEntryKind,
    AssistanceOutcome,
    AssistanceParty,
    AssistanceProblem,
    AssistanceStatus,
    AssistanceUrgency,
    DirectiveRequirement,
)


class OfferAcceptance(models.Model):
    """The customer accepts the earliest date a rejecting supplier offered to accept on.

    The amendment it prepares (the items with their required dates moved to that date) is what
    the order's signer then signs: an amendment changing the schedule is a new rated order,
    which the supplier accepts as it offered to."""

    response = models.OneToOneField(
        "ratings.SupplierResponse", on_delete=models.PROTECT, related_name="offer_acceptance"
    )
    order = models.ForeignKey("ratings.RatedOrder", on_delete=models.PROTECT, related_name="offer_acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    accepted_at = models.DateTimeField(help_text="UTC.")
    meaning = models.CharField(max_length=200)
    prepared_items = models.JSONField(help_text="The current items with their dates moved to the offered date.")

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"Offer of {self.response.earliest_date} accepted by {self.printed_name}"


class AssistanceCase(models.Model):
    """A request to HHS for special priorities assistance (15 CFR 700.50-700.55; BIS-999 is
    Commerce's form) about one rated order, opened by whoever placed it and worked by HHS."""

    reference = models.CharField(max_length=24, unique=True, editable=False, help_text="e.g. SPA-2026-00001.")
    order = models.ForeignKey("ratings.RatedOrder", on_delete=models.PROTECT, related_name="assistance_cases")
    organization = models.ForeignKey(
        "ratings.Organization", on_delete=models.PROTECT, related_name="+", help_text="The placing party."
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(help_text="UTC.")
    problem = models.CharField(max_length=20, choices=AssistanceProblem.choices)
    urgency = models.CharField(max_length=10, choices=AssistanceUrgency.choices)
    tried = models.TextField(help_text="What the placing party already tried.")
    impact = models.TextField(help_text="The impact of the delay on the program.")
    needed_dates = models.JSONField(help_text="The delivery dates the placing party needs (ISO dates).")
    status = FSMField(default=AssistanceStatus.OPEN, choices=AssistanceStatus.choices, protected=True)
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assistance_cases"
    )
    target_due_at = models.DateTimeField(help_text="HHS's target for a response (ASSISTANCE_TARGET_WORKING_DAYS).")
    outcome = models.CharField(max_length=20, choices=AssistanceOutcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=~models.Q(status=AssistanceStatus.CLOSED),
                name="assistance_one_open_case_per_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AssistanceStatus.CLOSED) | ~models.Q(outcome=""),
                name="assistance_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_problem_display()})"

    # --- transitions: data only; services.transition checks the rules and audits -------------

    @transition(field=status, source=AssistanceStatus.OPEN, target=AssistanceStatus.IN_PROGRESS)
    def take(self) -> None:
        pass

    @transition(field=status, source=AssistanceStatus.IN_PROGRESS, target=AssistanceStatus.CLOSED)
    def close(self) -> None:
        pass


class AssistanceEntry(models.Model):
    """One step of a case's timeline (each also an audit event): intake, questions and answers,
    actions taken, directives, the outcome. Never edited."""

    case = models.ForeignKey(AssistanceCase, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=AssistanceEntryKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    at = models.DateTimeField(help_text="UTC.")
    text = models.TextField(blank=True)
    addressed_to = models.CharField(
        max_length=10, choices=AssistanceParty.choices, blank=True, help_text="Questions: the party asked."
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "assistance entries"

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_kind_display()} by {self.printed_name}"


class Directive(models.Model):
    """HHS's signed directive to a supplier (15 CFR 700.62 [U for HRPAS]): accept the rated
    order, or meet a schedule. It takes precedence over DX and DO orders; it is delivered like
    an order, and the supplier acknowledges it."""

    number = models.CharField(max_length=24, unique=True, editable=False, help_text="e.g. HHS-DIR-2026-00001.")
    case = models.ForeignKey(AssistanceCase, on_delete=models.PROTECT, related_name="directives")
    order = models.ForeignKey("ratings.RatedOrder", on_delete=models.PROTECT, related_name="directives")
    supplier = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="directives")
    requirement = models.CharField(max_length=20, choices=DirectiveRequirement.choices)
    terms = models.TextField(help_text="What the supplier must do, as signed.")
    schedule_date = models.DateField(null=True, blank=True, help_text="Meet a schedule: the date to deliver by.")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    title = models.CharField(max_length=150, blank=True)
    delegation = models.CharField(max_length=300, blank=True)
    signed_at = models.DateTimeField(help_text="UTC.")
    meaning = models.CharField(max_length=200)
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the signed content (21 CFR 11.70).")
    delivered_at = models.DateTimeField(null=True, blank=True, help_text="First notice sent to a supplier contact.")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_name = models.CharField(max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.number} to {self.supplier}"
