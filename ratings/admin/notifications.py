"""Notifications outbox in the admin: read-only rows, failures with their error, resend action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path

from dpa_portal.errors import ApplicationError
from dpa_portal.pagination import EstimatedCountPaginator
from ratings.admin import workqueue
from ratings.admin.audited import AuditHistoryMixin
from ratings.constants import NotificationStatus
from ratings.models import Notification
from ratings.services.notifications import outbox as notifications
from ratings.services.notifications import rendering


class NotificationAdmin(AuditHistoryMixin, admin.ModelAdmin):
    paginator = EstimatedCountPaginator  # large tables: the planner's estimate, not COUNT(*)
    list_display = ("created_at", "kind", "recipient", "email", "subject", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "kind")
    search_fields = ("subject", "email", "key", "recipient__username")
    list_select_related = ("recipient",)
    show_full_result_count = False
    actions = ("resend",)
    readonly_fields = (
        "key",
        "recipient",
        "email",
        "kind",
        "subject",
        "link",
        "object_type",
        "object_id",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "created_at",
        "sent_at",
        "read_at",
        "body",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Plain-text body")
    def body(self, obj: Notification) -> str:
        # A notice a batch job wrote is rendered when delivered; one not delivered yet is rendered here.
        return rendering.bodies(obj)[0]

    @admin.display(description="Last error")
    def error(self, obj: Notification) -> str:
        return obj.last_error[:120]

    @admin.action(description="Resend the selected failed notices")
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        done = 0
        for row in queryset.filter(status=NotificationStatus.FAILED):
            try:
                notifications.notification_resend(notification=row, actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as error:
                self.message_user(request, f"Notice #{row.pk}: {error}", messages.ERROR)
                return
            done += 1
        skipped = queryset.exclude(status=NotificationStatus.FAILED).count()
        self.message_user(request, f"{done} notice(s) queued again; {skipped} not failed, left as they are.")

    def get_urls(self) -> list[Any]:
        # Every HHS staff member's own notices: mark read, and how they want them by e-mail.
        view = self.admin_site.admin_view
        return [
            path("<int:notification_id>/read/", view(workqueue.mark_read_view), name="ratings_notification_read"),
            path("preferences/", view(workqueue.preferences_view), name="ratings_notification_preferences"),
            *super().get_urls(),
        ]
