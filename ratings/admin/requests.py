"""HHS staff work requests here. Request data is read-only; state changes go through the decision
pages (ratings.admin.actions), each a form beside the whole case that calls one workflow service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from dpa_portal.errors import NotFound
from ratings.admin import assignment
from ratings.admin.actions import decisions_for, transition_view
from ratings.admin.audited import AuditHistoryMixin
from ratings.admin.case import case_context
from ratings.admin.listing import EstimatedCountMixin, QuickActionCheckboxMixin
from ratings.admin.review_clock import ReviewOverdueFilter, review_due_column
from ratings.constants import OrganizationKind, RequestState, Role
from ratings.models import Organization, RatingRequest, User
from ratings.selectors import requests as request_selectors
from ratings.services.orders import preview

NEXT_ACTION = {
    RequestState.DRAFT: "Applicant: complete and submit",
    RequestState.SUBMITTED: "Intake: accept and assign a reviewer",
    RequestState.IN_REVIEW: "Reviewer: review and recommend",
    RequestState.INFO_REQUESTED: "Applicant: answer HHS's question",
    RequestState.RETURNED: "Applicant: correct and resubmit",
    RequestState.RECOMMENDED: "Approving official: decide",
}


class ReviewerFilter(admin.RelatedFieldListFilter):
    """Choices from the small memberships table (HHS reviewers), not a DISTINCT scan of requests."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        reviewers = User.objects.filter(memberships__role=Role.REVIEWER).distinct().order_by("last_name", "first_name")
        return [(str(user.pk), user.get_full_name() or user.get_username()) for user in reviewers]


class ApplicantOrganizationFilter(admin.RelatedFieldListFilter):
    """Choices from the small organizations table (all but the agency), not a DISTINCT scan of requests."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        organizations = Organization.objects.exclude(kind=OrganizationKind.AGENCY).order_by("legal_name")
        return [(str(org.pk), org.legal_name) for org in organizations]


class AgeFilter(admin.SimpleListFilter):
    title = "age since submission"
    parameter_name = "age"
    BUCKETS = {
        "lt5": (0, 5, "Under 5 days"),
        "5to10": (5, 10, "5 to 10 days"),
        "gt10": (10, None, "Over 10 days"),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(key, label) for key, (_, _, label) in self.BUCKETS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[RatingRequest]) -> QuerySet[RatingRequest]:
        if self.value() not in self.BUCKETS:
            return queryset
        low, high, _ = self.BUCKETS[self.value()]  # type: ignore[index]
        now = timezone.now()
        queryset = queryset.filter(submitted_at__isnull=False, submitted_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(submitted_at__gt=now - dt.timedelta(days=high))
        return queryset


class RatingRequestAdmin(EstimatedCountMixin, QuickActionCheckboxMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_per_page = 50  # as the portal lists and the API: rendering the rows is most of the page's time
    # The columns a case officer scans first come first, so they stay in view at 1280 px.
    list_display = (
        "reference",
        "organization",
        "state",
        review_due_column,
        "next_action",
        "assignee",
        "rating_display",
    )
    list_filter = (
        "state",
        ReviewOverdueFilter,
        ("assigned_reviewer", ReviewerFilter),
        ("applicant_organization", ApplicantOrganizationFilter),
        "requested_level",
        "category",
        AgeFilter,
    )
    search_fields = (
        "reference",
        "applicant_organization__legal_name",
        "line_items__po_number",
        "line_items__description",
    )
    list_select_related = ("applicant_organization", "assigned_reviewer", "program")
    ordering = ("-submitted_at", "-created_at")
    actions = ("assign_reviewer",)
    change_form_template = "admin/ratings/ratingrequest/change_form.html"
    fields = ("reference",)  # the page shows the case itself (templates/admin/ratings/ratingrequest/_case.html)
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applicants prepare requests in the portal or the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record is read-only; transitions are the only writes

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RatingRequest]:
        return request_selectors.with_questions(request_selectors.rating_requests_for(request.user))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk assignment is intake's; nobody else is offered it (the service refuses them anyway).
        actions = super().get_actions(request)
        if not assignment.may_assign(request.user):
            actions.pop("assign_reviewer", None)
        return actions

    @admin.display(description="Organization", ordering="applicant_organization__legal_name")
    def organization(self, obj: RatingRequest) -> str:
        return obj.applicant_organization.short_name or obj.applicant_organization.legal_name

    @admin.display(description="Rating", ordering="requested_level")
    def rating_display(self, obj: RatingRequest) -> str:
        return obj.rating

    @admin.display(description="Assignee", ordering="assigned_reviewer__last_name")
    def assignee(self, obj: RatingRequest) -> str:
        return obj.assigned_reviewer.printed_name if obj.assigned_reviewer else "—"

    @admin.display(description="Next action")
    def next_action(self, obj: RatingRequest) -> str:
        return NEXT_ACTION.get(obj.state, "—")

    @admin.action(description="Assign the selected requests to a reviewer")
    def assign_reviewer(self, request: HttpRequest, queryset: QuerySet[RatingRequest]) -> HttpResponse | None:
        return assignment.bulk_assign_view(self, request, queryset)

    def history_filter(self, obj: Any) -> Q:
        return Q(reference=obj.reference) | Q(object_type="ratings.RatingRequest", object_id=str(obj.pk))

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        custom = [
            path(
                "<path:object_id>/act/<str:action>/",
                view(self._transition_view),
                name="ratings_ratingrequest_transition",
            ),
            path(
                "<int:object_id>/preview/<int:supplier_id>/",
                view(self._preview_view),
                name="ratings_ratingrequest_preview",
            ),
        ]
        return custom + super().get_urls()

    def _transition_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        return transition_view(self, request, object_id, action)

    def _preview_view(self, request: HttpRequest, object_id: int, supplier_id: int) -> HttpResponse:
        """The order one supplier would receive on approval: a watermarked PDF, never stored."""
        actor: Any = request.user
        if not isinstance(actor, User):
            raise Http404("No such preview.")
        try:
            shown = preview.rated_order_preview(rating_request_id=object_id, supplier_id=supplier_id, actor=actor)
        except NotFound as error:
            raise Http404(error.message) from error
        response = HttpResponse(shown.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{shown.filename}"'
        response["Cache-Control"] = "no-store"
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        rating_request = self.get_object(request, object_id)
        if rating_request is not None:
            extra_context.update(case_context(rating_request))
            extra_context["transitions"] = decisions_for(rating_request, request.user)
            extra_context["timeline"] = request_selectors.request_timeline(rating_request)
        return super().change_view(request, object_id, form_url, extra_context)
