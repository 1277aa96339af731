"""The audit trail in the admin: read-only for everyone, superusers included (NIST AU-9)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditCheckpoint, AuditEvent, LegalHold
from dpa_portal.pagination import EstimatedCountPaginator


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # shared by several models
    """Shown, never changed here (NIST AU-9): events and checkpoints are written by the system,
    holds placed by command; nobody, superusers included, edits or deletes them here."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    paginator = EstimatedCountPaginator  # large tables: the planner's estimate, not COUNT(*)
    list_display = (
        "sequence",
        "occurred_at",
        "actor_label",
        "action",
        "outcome",
        "object_label",
        "from_state",
        "to_state",
    )
    list_filter = ("outcome", "source", "action")
    search_fields = ("=reference", "=object_label", "actor_label", "reason")
    ordering = ("-sequence",)
    show_full_result_count = False  # no count(*) over millions of rows per page
    date_hierarchy = None
    list_per_page = 50


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "sequence", "hash", "signed_at", "key_id", "created_by_label")


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ("reference", "object_type", "reason", "placed_by", "placed_at", "released_at")
