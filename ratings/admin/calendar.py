"""Closure days in the admin: HHS administrators declare and withdraw them (each through its
service, audited); every HHS staff member can read the list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ratings import permissions
from ratings.admin.audited import AuditHistoryMixin
from ratings.admin.declarations import DeclarationAdmin
from ratings.models import ClosureDay
from ratings.services.calendar import closures


class DeclareForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Agency-local date (YYYY-MM-DD).")
    reason = forms.CharField(
        max_length=300, required=False, help_text="The Executive Order that closes federal offices."
    )


class ClosureDayAdmin(AuditHistoryMixin, DeclarationAdmin):
    list_display = ("day", "reason", "declared_by", "declared_at", "status")
    list_filter = ("is_active",)
    list_select_related = ("declared_by",)
    readonly_fields = (
        "day",
        "reason",
        "declared_by",
        "declared_at",
        "is_active",
        "withdrawn_by",
        "withdrawn_at",
        "withdrawal_reason",
    )
    fields = readonly_fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_hhs_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_hhs_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.closure_day_refusal(None, request.user) is None

    def get_actions(self, request: HttpRequest) -> Any:
        return super().get_actions(request) if self.has_add_permission(request) else {}

    @admin.display(description="Status")
    def status(self, obj: ClosureDay) -> str:
        return "Not a working day" if obj.is_active else f"Withdrawn: {obj.withdrawal_reason}"

    declare_form = DeclareForm
    declare_title = "Declare a closure day"
    declared_message = "Closure day declared."
    withdrawn_noun = "closure day(s)"

    def declare(self, actor: Any, data: dict[str, Any]) -> None:
        closures.closure_day_declare(actor=actor, day=data["day"], reason=data["reason"])

    def withdraw_one(self, obj: ClosureDay, actor: Any) -> None:
        closures.closure_day_withdraw(closure=obj, actor=actor, reason="Withdrawn from the list of closure days.")

    def still_open(self, queryset: QuerySet[ClosureDay]) -> QuerySet[ClosureDay]:
        return queryset.filter(is_active=True)

    @admin.action(description="Withdraw the selected closure days (they become working days)")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[ClosureDay]) -> None:
        self.withdraw_selected(request, queryset)
