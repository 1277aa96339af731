"""Assignment in the admin: bulk-assign selected requests to a reviewer (with each reviewer's
workload in view), and conflicts of interest (declared, listed, withdrawn), each through its service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.admin.declarations import DeclarationAdmin
from ratings.constants import HHS_WORKFLOW_ROLES, OrganizationKind
from ratings.models import ConflictOfInterest, Organization, RatingRequest, User
from ratings.selectors import workqueue
from ratings.services.accounts import conflicts
from ratings.services.requests import assignment


def may_assign(user: Any) -> bool:
    return permissions.assignment_refusal(user) is None


class ReviewerChoiceField(forms.ModelChoiceField):
    """The reviewers offered, each labelled with their current workload."""

    def __init__(self, **kwargs: Any):
        super().__init__(queryset=User.objects.none(), empty_label="Choose a reviewer", **kwargs)
        self.load: dict[int, workqueue.TeamRow] = {}

    def offer(self, reviewer_ids: set[int]) -> None:
        self.queryset = User.objects.filter(pk__in=reviewer_ids).order_by("last_name", "first_name")
        self.load = {row.reviewer.pk: row for row in workqueue.team_workload()}

    def label_from_instance(self, obj: Any) -> str:
        row = self.load.get(obj.pk)
        if row is None:
            return str(obj.printed_name)
        return f"{obj.printed_name} — {row.in_review} in review, {row.waiting} waiting, {row.overdue} overdue"


class BulkAssignForm(forms.Form):
    reviewer = ReviewerChoiceField(required=True)

    def __init__(self, *args: Any, rating_requests: list[RatingRequest], **kwargs: Any):
        super().__init__(*args, **kwargs)
        # A reviewer conflicted with (or belonging to) any selected request's organization is not offered.
        allowed: set[int] | None = None
        for rr in rating_requests:
            ids = {reviewer.pk for reviewer in workqueue.eligible_reviewers(rr)}
            allowed = ids if allowed is None else allowed & ids
        field = self.fields["reviewer"]
        assert isinstance(field, ReviewerChoiceField)
        field.offer(allowed or set())


def bulk_assign_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[RatingRequest]
) -> HttpResponse | None:
    """The changelist action: choose a reviewer for the selected requests, then assign them."""
    selected = list(queryset.select_related("applicant_organization", "assigned_reviewer"))
    form = BulkAssignForm(request.POST if "apply" in request.POST else None, rating_requests=selected)
    if "apply" in request.POST and form.is_valid():
        try:
            result = assignment.rating_requests_assign_bulk(
                rating_requests=selected,
                actor=request.user,  # type: ignore[arg-type]
                reviewer=form.cleaned_data["reviewer"],
            )
        except ApplicationError as error:
            model_admin.message_user(request, error.message, messages.ERROR)
            return None
        reviewer = form.cleaned_data["reviewer"].printed_name
        if result.assigned:
            model_admin.message_user(
                request, f"Assigned to {reviewer}: {', '.join(result.assigned)}.", messages.SUCCESS
            )
        for reference, why in result.refused:
            model_admin.message_user(request, f"{reference} not assigned: {why}", messages.ERROR)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Assign the selected requests to a reviewer",
        "form": form,
        "selected": selected,
        "team": workqueue.team_workload(),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/ratings/ratingrequest/bulk_assign.html", context)


class DeclareForm(forms.Form):
    staff_member = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Choose a staff member")
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), empty_label="Choose an organization")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What the conflict is")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                memberships__role__in=list(HHS_WORKFLOW_ROLES),
                memberships__is_active=True,
                memberships__organization__kind=OrganizationKind.AGENCY,
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["organization"].queryset = Organization.objects.exclude(  # type: ignore[attr-defined]
            kind=OrganizationKind.AGENCY
        ).order_by("legal_name")


class ConflictOfInterestAdmin(DeclarationAdmin):
    list_display = ("user", "organization", "declared_at", "declared_by", "status", "reason")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter), ("user", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "organization", "declared_by")

    def _workflow_staff(self, request: HttpRequest) -> bool:
        return any(permissions.has_role(request.user, role) for role in HHS_WORKFLOW_ROLES)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._workflow_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._workflow_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._workflow_staff(request)

    readonly_fields = (
        "user",
        "organization",
        "reason",
        "declared_by",
        "declared_at",
        "withdrawn_by",
        "withdrawn_at",
        "withdrawal_reason",
    )
    fields = readonly_fields

    @admin.display(description="Status")
    def status(self, obj: ConflictOfInterest) -> str:
        return "Active" if obj.is_active else f"Withdrawn: {obj.withdrawal_reason}"

    declare_form = DeclareForm
    declare_title = "Declare a conflict of interest"
    declared_message = "Conflict of interest declared."
    withdrawn_noun = "declaration(s)"

    def declare(self, actor: Any, data: dict[str, Any]) -> None:
        conflicts.conflict_of_interest_declare(
            actor=actor, staff_member=data["staff_member"], organization=data["organization"], reason=data["reason"]
        )

    def withdraw_one(self, obj: ConflictOfInterest, actor: Any) -> None:
        conflicts.conflict_of_interest_withdraw(
            conflict=obj, actor=actor, reason="Withdrawn from the list of declarations."
        )

    def still_open(self, queryset: QuerySet[ConflictOfInterest]) -> QuerySet[ConflictOfInterest]:
        return queryset.filter(withdrawn_at__isnull=True)

    @admin.action(description="Withdraw the selected declarations")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[ConflictOfInterest]) -> None:
        self.withdraw_selected(request, queryset)
