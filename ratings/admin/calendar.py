"""Closure days in the admin: HHS administrators declare and withdraw them (each through its
service, audited); every HHS staff member can read the list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.admin.audited import AuditHistoryMixin
from ratings.models import ClosureDay
from ratings.services.calendar import closures


class DeclareForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Agency-local date (YYYY-MM-DD).")
    reason = forms.CharField(
        max_length=300, required=False, help_text="The Executive Order that closes federal offices."
    )


class ClosureDayAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ("day", "reason", "declared_by", "declared_at", "status")
    list_filter = ("is_active",)
    list_select_related = ("declared_by",)
    actions = ("withdraw",)
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

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a declaration is withdrawn, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        return super().get_actions(request) if self.has_add_permission(request) else {}

    @admin.display(description="Status")
    def status(self, obj: ClosureDay) -> str:
        return "Not a working day" if obj.is_active else f"Withdrawn: {obj.withdrawal_reason}"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DeclareForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                closures.closure_day_declare(
                    actor=request.user,  # type: ignore[arg-type]
                    day=form.cleaned_data["day"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.message_user(request, "Closure day declared.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:ratings_closureday_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Declare a closure day",
            "form": form,
        }
        return TemplateResponse(request, "admin/ratings/closureday/declare.html", context)

    @admin.action(description="Withdraw the selected closure days (they become working days)")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[ClosureDay]) -> None:
        done = 0
        for closure in queryset.filter(is_active=True):
            try:
                closures.closure_day_withdraw(
                    closure=closure,
                    actor=request.user,  # type: ignore[arg-type]
                    reason="Withdrawn from the list of closure days.",
                )
            except ApplicationError as error:
                self.message_user(request, f"{closure}: {error.message}", messages.ERROR)
                return
            done += 1
        self.message_user(request, f"{done} closure day(s) withdrawn.", messages.SUCCESS)
