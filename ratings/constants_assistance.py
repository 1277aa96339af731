"""Choices and fixed texts of special priorities assistance (15 CFR 700.50-700.55), directives
(700.62) and reconsideration (700.80-700.81); the HRPAS numbering of each is unconfirmed [U].
Kept beside ratings/constants.py, which holds the rest of the rule's texts and choices."""

from django.db import models


class AssistanceProblem(models.TextChoices):
    REJECTED = "rejected", "The supplier rejected the order"
    UNANSWERED = "unanswered", "The supplier did not answer by the due time"
    LATE_DELIVERY = "late_delivery", "The supplier is late delivering"
    CONFLICT = "conflict", "Conflict between rated orders"
    REFUSAL = "refusal", "The supplier refuses to treat the order as rated"


class AssistanceUrgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent (program dates at risk)"
    CRITICAL = "critical", "Critical (patients or a public health response at risk now)"


class AssistanceStatus(models.TextChoices):
    OPEN = "open", "Open (waiting for HHS intake)"
    IN_PROGRESS = "in_progress", "In progress with a case officer"
    CLOSED = "closed", "Closed"


class AssistanceOutcome(models.TextChoices):
    AGREEMENT = "agreement", "Resolved by agreement"
    DIRECTIVE = "directive", "Directive issued"
    RESCHEDULED = "rescheduled", "Rescheduled"
    DENIED = "denied", "Assistance denied"


class AssistanceParty(models.TextChoices):
    CUSTOMER = "customer", "The placing party"
    SUPPLIER = "supplier", "The supplier"


class AssistanceEntryKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    TAKEN = "taken", "Taken in by HHS intake"
    QUESTION = "question", "Question from HHS"
    ANSWER = "answer", "Answer"
    ACTION = "action", "Action taken by HHS"
    DIRECTIVE = "directive", "Directive issued"
    ACKNOWLEDGED = "acknowledged", "Directive acknowledged by the supplier"
    CLOSED = "closed", "Outcome"


class DirectiveRequirement(models.TextChoices):
    ACCEPT_ORDER = "accept_order", "Accept the rated order"
    MEET_SCHEDULE = "meet_schedule", "Meet the delivery schedule stated"


# 21 CFR 11.50(a)(3): what the directive's signature means.
SIGNATURE_MEANING_DIRECTIVE = "Directed: HHS requires the supplier to act as stated (precedence over DX and DO)"
SIGNATURE_MEANING_DIRECTIVE_ACK = "Acknowledged: the supplier received the directive and will comply"
