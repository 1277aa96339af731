"""The request for rating assistance (modelled on Commerce form BIS-999) and its workflow.

The state graph is declared here with django-fsm-2; `ratings.services.requests.workflow` is the only
caller of the transition methods (lock, permission, transition, save, audit).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from ratings.constants import (
    CONFIDENTIALITY_LEGEND,
    RETURNABLE_STATES,
    WITHDRAWABLE_STATES,
    HealthResourceCategory,
    RatingLevel,
    Recommendation,
    RequestState,
)
from ratings.constants_application import FdaStatus
from ratings.models.organizations import User
from ratings.permissions import allowed, request_rule


def private_storage() -> Storage:
    return storages["private"]


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name on disk: a random name in a per-request folder.
    return f"attachments/{instance.request_id}/{instance.sha256[:2]}/{instance.sha256}"


def _system_only(instance: models.Model, user: object) -> bool:
    return False


def _is_certified(instance: models.Model) -> bool:
    return bool(getattr(instance, "is_certified", False))


class RatingRequest(FSMModelMixin, models.Model):
    reference = models.CharField(
        max_length=20,
        unique=True,
        editable=False,
        help_text="e.g. PRR-2026-00042, unique per year.",
    )
    applicant_organization = models.ForeignKey(
        "ratings.Organization", on_delete=models.PROTECT, related_name="rating_requests"
    )
    applicant_contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    end_customer = models.CharField(
        "end customer / end user",
        max_length=200,
        blank=True,
        help_text="If different from the applicant.",
    )
    government_program = models.CharField(max_length=200, help_text="Government program the orders support.")
    contract_number = models.CharField("government contract number", max_length=100, blank=True)
    # What a reviewer needs to judge need; required at submission: end use and FDA status
    # (ratings.services.requests.need); limits in the same module.
    contracting_agency = models.CharField(
        max_length=200, blank=True, help_text="Agency that awarded the government contract, if the end use is one."
    )
    contracting_officer = models.CharField(
        max_length=200, blank=True, help_text="Its contracting officer: name, and e-mail or telephone."
    )
    end_use = models.TextField(blank=True, help_text="What the items are finally used for, and by whom.")
    fda_status = models.CharField("FDA regulatory status", max_length=20, choices=FdaStatus.choices, blank=True)
    fda_status_other = models.CharField("FDA status (other)", max_length=200, blank=True)
    fda_number = models.CharField(
        "FDA application or approval number", max_length=60, blank=True, help_text="e.g. BLA 125742, EUA 27073."
    )
    related_rated_orders = models.JSONField(
        default=list, blank=True, help_text="Numbers of rated orders this request relates to (any agency's)."
    )
    category = models.CharField("health-resource category", max_length=30, choices=HealthResourceCategory.choices)
    health_resource = models.CharField(
        max_length=200, help_text="The health resource produced, e.g. the vaccine's name."
    )
    requested_level = models.CharField(max_length=2, choices=RatingLevel.choices, default=RatingLevel.DO)
    program = models.ForeignKey("ratings.Program", on_delete=models.PROTECT, related_name="+")
    justification_need = models.TextField("need", blank=True)
    justification_efforts = models.TextField("efforts already made", blank=True)
    justification_impact = models.TextField("impact of delay", blank=True)
    is_emergency = models.BooleanField("emergency preparedness order", default=False)
    emergency_response_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Emergency orders: hours the supplier has to accept or reject (45 CFR 101.33).",
    )
    confidentiality_marking = models.CharField(max_length=300, default=CONFIDENTIALITY_LEGEND, editable=False)

    # Certification by the applicant at submission (18 U.S.C. 1001 warning included in the text).
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certified_name = models.CharField(max_length=200, blank=True, help_text="Full name typed as signature.")
    certified_at = models.DateTimeField(null=True, blank=True)
    certification_text = models.TextField(blank=True, help_text="The exact text certified.")

    state = FSMField(default=RequestState.DRAFT, choices=RequestState.choices, protected=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; detects concurrent edits.")
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    recommendation_rationale = models.TextField(blank=True)
    review_checklist = models.JSONField(default=dict, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    withdrawal_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # HHS review clock: paused while information is requested or the request is returned.
    review_paused_at = models.DateTimeField(null=True, blank=True)
    returned_from = models.CharField(
        max_length=20,
        choices=RequestState.choices,
        blank=True,
        help_text="While returned for correction: the state the resubmitted request goes back to.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="request_state_submitted_idx"),
            models.Index(fields=["applicant_organization", "state"], name="request_org_state_idx"),
            # The API list's order (oldest change first, then pk): a page is read from the index,
            # for one manufacturer or for HHS.
            models.Index(fields=["applicant_organization", "updated_at", "id"], name="request_org_updated_idx"),
            models.Index(fields=["updated_at", "id"], name="request_updated_idx"),
            # The portal's request list (newest first by created_at, then pk, keyset pages).
            models.Index(fields=["applicant_organization", "created_at", "id"], name="request_org_created_idx"),
            # The admin changelist's default sort (-submitted_at, -created_at, then -pk), read in order.
            models.Index(
                models.F("submitted_at").desc(),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="request_admin_sort_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_emergency=False, emergency_response_hours__isnull=True)
                | models.Q(is_emergency=True, emergency_response_hours__gte=1),
                name="request_emergency_has_limit",
            ),
        ]
        permissions = [("act_on_ratingrequest", "Can take workflow actions on rating requests")]

    def __str__(self) -> str:
        return self.reference

    @property
    def rating(self) -> str:
        return f"{self.requested_level}-{self.program.symbol}"

    @property
    def is_certified(self) -> bool:
        return bool(self.certified_by_id and self.certified_at and self.certification_text and self.certified_name)

    # --- transitions: data changes only; services.transition checks the rules and audits --------

    @transition(
        field=state,
        source=RequestState.DRAFT,
        target=RequestState.SUBMITTED,
        permission=allowed(request_rule("submit")),
        conditions=[_is_certified],
    )
    def submit(self, *, at: dt.datetime) -> None:
        self.submitted_at = at

    @transition(
        field=state,
        source=RequestState.SUBMITTED,
        target=RequestState.IN_REVIEW,
        permission=allowed(request_rule("accept_for_review")),
    )
    def accept_for_review(self, *, reviewer: User) -> None:
        self.assigned_reviewer = reviewer

    @transition(
        field=state,
        source=RequestState.IN_REVIEW,
        target=RequestState.INFO_REQUESTED,
        permission=allowed(request_rule("request_information")),
    )
    def request_information(self, *, at: dt.datetime) -> None:
        self.review_paused_at = at

    @transition(
        field=state,
        source=RequestState.INFO_REQUESTED,
        target=RequestState.IN_REVIEW,
        permission=allowed(request_rule("respond")),
    )
    def respond(self) -> None:
        self.review_paused_at = None

    @transition(
        field=state,
        source=RETURNABLE_STATES,
        target=RequestState.RETURNED,
        permission=allowed(request_rule("return_for_correction")),
    )
    def return_for_correction(self, *, at: dt.datetime) -> None:
        self.returned_from = self.state
        self.review_paused_at = at

    @transition(
        field=state,
        source=RequestState.RETURNED,
        target=RETURN_VALUE(RequestState.SUBMITTED, RequestState.IN_REVIEW),
        permission=allowed(request_rule("resubmit")),
        conditions=[_is_certified],
    )
    def resubmit(self) -> str:
        """Back where it was returned from: intake, or the same reviewer."""
        back = self.returned_from or RequestState.SUBMITTED
        self.returned_from = ""
        self.review_paused_at = None
        return back

    @transition(
        field=state,
        source=RequestState.IN_REVIEW,
        target=RequestState.RECOMMENDED,
        permission=allowed(request_rule("recommend")),
    )
    def recommend(
        self,
        *,
        by: User,
        at: dt.datetime,
        outcome: str,
        rationale: str,
        checklist: dict[str, bool],
    ) -> None:
        self.recommendation = outcome
        self.recommendation_rationale = rationale
        self.review_checklist = checklist
        self.recommended_by = by
        self.recommended_at = at

    @transition(
        field=state,
        source=RequestState.RECOMMENDED,
        target=RequestState.IN_REVIEW,
        permission=allowed(request_rule("return_for_rework")),
    )
    def return_for_rework(self) -> None:
        self.recommendation = ""
        self.recommended_at = None

    @transition(
        field=state,
        source=RequestState.RECOMMENDED,
        target=RequestState.APPROVED,
        permission=allowed(request_rule("approve")),
    )
    def approve(self, *, by: User, at: dt.datetime, reason: str) -> None:
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason

    # Never a user's button: services.orders takes it inside the approval transaction.
    @transition(field=state, source=RequestState.APPROVED, target=RequestState.ISSUED, permission=_system_only)
    def issue(self) -> None:
        """Rated orders were created and signed (services.orders, inside the approval)."""

    @transition(
        field=state,
        source=RequestState.RECOMMENDED,
        target=RequestState.DENIED,
        permission=allowed(request_rule("deny")),
    )
    def deny(self, *, by: User, at: dt.datetime, reason: str) -> None:
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason

    # Never a user's button: services.requests.reconsideration takes it when a reconsideration is granted.
    @transition(field=state, source=RequestState.DENIED, target=RequestState.IN_REVIEW, permission=_system_only)
    def reopen(self) -> None:
        """A denial set aside on reconsideration: the request is reviewed again, with the new information."""
        self.decided_by, self.decided_at, self.decision_reason = None, None, ""
        self.recommendation, self.recommended_at = "", None

    @transition(
        field=state,
        source=WITHDRAWABLE_STATES,
        target=RequestState.WITHDRAWN,
        permission=allowed(request_rule("withdraw")),
    )
    def withdraw(self, *, reason: str) -> None:
        self.withdrawal_reason = reason
        self.review_paused_at = None
        self.returned_from = ""


class InformationRequest(models.Model):
    request = models.ForeignKey(RatingRequest, on_delete=models.CASCADE, related_name="information_requests")
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]

    def __str__(self) -> str:
        return f"Question of {self.asked_at:%Y-%m-%d} on {self.request_id}"


class Attachment(models.Model):
    request = models.ForeignKey(RatingRequest, on_delete=models.CASCADE, related_name="attachments")
    information_request = models.ForeignKey(
        InformationRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
