"""HHS staff work requests here. Request data is read-only; state changes go through the
transition buttons, each a confirmation form calling one workflow service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ratings.admin.actions import transition_view
from ratings.admin.audited import AuditHistoryMixin
from ratings.admin.review_clock import ReviewOverdueFilter, review_due_column
from ratings.constants import RequestState
from ratings.models import (
    Attachment,
    InformationRequest,
    RatingRequest,
    RequestLineItem,
)
from ratings.selectors import requests as request_selectors
from ratings.services.requests import workflow

NEXT_ACTION = {
    RequestState.DRAFT: "Applicant: complete and submit",
    RequestState.SUBMITTED: "Intake: accept and assign a reviewer",
    RequestState.IN_REVIEW: "Reviewer: review and recommend",
    RequestState.INFO_REQUESTED: "Applicant: answer HHS's question",
    RequestState.RECOMMENDED: "Approving official: decide",
}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineItemInline(ReadOnlyInline):
    model = RequestLineItem
    fields = (
        "position",
        "supplier",
        "po_number",
        "description",
        "part_number",
        "quantity",
        "unit",
        "required_dates",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[RequestLineItem]:
        return super().get_queryset(request).select_related("supplier").prefetch_related("deliveries")

    @admin.display(description="Required delivery dates")
    def required_dates(self, obj: RequestLineItem) -> str:
        return ", ".join(d.required_date.isoformat() for d in obj.deliveries.all())


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("download", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description="File")
    def download(self, obj: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', reverse("attachment-download", args=[obj.pk]), obj.original_name)


class InformationRequestInline(ReadOnlyInline):
    model = InformationRequest
    fields = ("asked_at", "asked_by", "question", "responded_at", "responded_by", "response")
    readonly_fields = fields


class AgeFilter(admin.SimpleListFilter):
    title = "age since submission"
    parameter_name = "age"
    BUCKETS = {
        "lt5": (0, 5, "Under 5 days"),
        "5to10": (5, 10, "5 to 10 days"),
        "gt10": (10, None, "Over 10 days"),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
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


class RatingRequestAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "applicant_organization",
        "category",
        "rating_display",
        "state",
        "assigned_reviewer",
        "age_days",
        review_due_column,
        "next_action",
    )
    list_filter = (
        "state",
        "category",
        "requested_level",
        ("applicant_organization", admin.RelatedOnlyFieldListFilter),
        ("assigned_reviewer", admin.RelatedOnlyFieldListFilter),
        AgeFilter,
        ReviewOverdueFilter,
    )
    search_fields = (
        "reference",
        "applicant_organization__legal_name",
        "line_items__po_number",
        "line_items__description",
    )
    list_select_related = ("applicant_organization", "assigned_reviewer", "program")
    show_full_result_count = False
    ordering = ("-submitted_at", "-created_at")
    inlines = (LineItemInline, AttachmentInline, InformationRequestInline)
    change_form_template = "admin/ratings/ratingrequest/change_form.html"
    fieldsets = (
        (
            "Request",
            {
                "fields": (
                    "reference",
                    "state",
                    "version",
                    "applicant_organization",
                    "applicant_contact",
                    "end_customer",
                    "government_program",
                    "contract_number",
                    "category",
                    "health_resource",
                    "requested_level",
                    "program",
                    "is_emergency",
                    "emergency_response_hours",
                    "confidentiality_marking",
                )
            },
        ),
        (
            "Justification",
            {"fields": ("justification_need", "justification_efforts", "justification_impact")},
        ),
        (
            "Certification",
            {"fields": ("certified_name", "certified_by", "certified_at", "certification_text")},
        ),
        (
            "Review",
            {
                "fields": (
                    "assigned_reviewer",
                    "recommendation",
                    "recommendation_rationale",
                    "review_checklist",
                    "recommended_by",
                    "recommended_at",
                    "decided_by",
                    "decided_at",
                    "decision_reason",
                    "withdrawal_reason",
                    "submitted_at",
                    "review_paused_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for _, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applicants prepare requests in the portal or the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record is read-only; transitions are the only writes

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RatingRequest]:
        return request_selectors.rating_requests_for(request.user).prefetch_related("information_requests")

    @admin.display(description="Rating", ordering="requested_level")
    def rating_display(self, obj: RatingRequest) -> str:
        return obj.rating

    @admin.display(description="Age (days)", ordering="submitted_at")
    def age_days(self, obj: RatingRequest) -> int | str:
        return (timezone.now() - obj.submitted_at).days if obj.submitted_at else "—"

    @admin.display(description="Next action")
    def next_action(self, obj: RatingRequest) -> str:
        return NEXT_ACTION.get(obj.state, "—")

    def history_filter(self, obj: Any) -> Q:
        return Q(reference=obj.reference) | Q(object_type="ratings.RatingRequest", object_id=str(obj.pk))

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self._transition_view),
                name="ratings_ratingrequest_transition",
            ),
        ]
        return custom + super().get_urls()

    def _transition_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        return transition_view(self, request, object_id, action)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        rating_request = self.get_object(request, object_id)
        if rating_request is not None:
            extra_context["transitions"] = [
                (
                    action,
                    action.replace("_", " ").capitalize(),
                    reverse("admin:ratings_ratingrequest_transition", args=[rating_request.pk, action]),
                )
                for action in workflow.available_actions(rating_request, request.user)  # type: ignore[arg-type]
                if action not in {"submit", "respond", "withdraw"}
            ]
            extra_context["timeline"] = request_selectors.request_timeline(rating_request)
        return super().change_view(request, object_id, form_url, extra_context)
