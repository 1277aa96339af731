"""Admin pieces for the HHS review clock: a column and a list filter on rating requests."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from ratings.clock import review_clock
from ratings.models import RatingRequest
from ratings.selectors.requests import overdue_review_requests


@admin.display(description="Review due")
def review_due_column(obj: RatingRequest) -> str:
    clock = review_clock(obj)
    if clock is None:
        return "—"
    label = clock.due_on.isoformat()
    if clock.paused_since is not None:
        label += " (paused)"
    if clock.overdue:
        return format_html('<strong class="review-overdue">OVERDUE</strong> {}', label)
    return label


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = "review clock"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("on_time", "On time")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[RatingRequest]) -> QuerySet[RatingRequest]:
        if self.value() == "overdue":
            return overdue_review_requests(queryset)
        if self.value() == "on_time":
            return queryset.exclude(pk__in=overdue_review_requests(queryset).values("pk"))
        return queryset
