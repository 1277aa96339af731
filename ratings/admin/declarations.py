"""Admin lists of declarations (conflicts of interest, closure days): a declaration is made on the
add page and withdrawn from the list, each through its service; it is never edited or deleted, so
the record of who declared what, and who withdrew it, stays whole."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from dpa_portal.errors import ApplicationError


class DeclarationAdmin(admin.ModelAdmin):
    declare_form: type[forms.Form]
    declare_title: str
    declared_message: str
    withdrawn_noun: str  # "declaration(s)", as in "3 declaration(s) withdrawn."
    actions = ("withdraw",)

    def declare(self, actor: Any, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def withdraw_one(self, obj: Any, actor: Any) -> None:
        raise NotImplementedError

    def still_open(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """Declaring goes through the service (its own transaction), never the admin's model save."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        form = self.declare_form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self.declare(request.user, form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.message_user(request, self.declared_message, messages.SUCCESS)
                return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {**self.admin_site.each_context(request), "opts": opts, "title": self.declare_title, "form": form}
        return TemplateResponse(request, f"admin/{opts.app_label}/{opts.model_name}/declare.html", context)

    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The list action; stops at the first refusal so the message names it."""
        done = 0
        obj: Model
        for obj in self.still_open(queryset):
            try:
                self.withdraw_one(obj, request.user)
            except ApplicationError as error:
                self.message_user(request, f"{obj}: {error.message}", messages.ERROR)
                return
            done += 1
        self.message_user(request, f"{done} {self.withdrawn_noun} withdrawn.", messages.SUCCESS)
