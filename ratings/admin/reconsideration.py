"""Reconsiderations in the admin: the list, and the decision an approving official other than
the one who decided signs (one service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from dpa_portal.errors import ApplicationError
from ratings.admin.audited import AuditHistoryMixin, CaseRecordMixin
from ratings.constants_assistance import ReconsiderationOutcome
from ratings.models import Reconsideration
from ratings.services.requests import reconsideration


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(choices=ReconsiderationOutcome.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Reasons")
    password = forms.CharField(widget=forms.PasswordInput, required=False, help_text="Re-enter your password to sign.")
    otp = forms.CharField(label="Authenticator code", required=False, max_length=6)


class ReconsiderationAdmin(AuditHistoryMixin, CaseRecordMixin, admin.ModelAdmin):
    list_display = ("rating_request", "asked_by", "asked_at", "original_decider", "outcome", "decided_name")
    list_filter = ("outcome",)
    list_select_related = ("rating_request", "asked_by", "original_decider")
    fields = (
        "rating_request",
        "asked_by",
        "asked_at",
        "grounds",
        "original_decider",
        "outcome",
        "decided_name",
        "decided_at",
        "decision_reason",
        "meaning",
    )
    readonly_fields = fields

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/decide/", view(self._decide_view), name="ratings_reconsideration_decide"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        row = self.get_object(request, object_id)
        actions = []
        if row is not None and not row.outcome:
            actions = [("Decide (signature)", reverse("admin:ratings_reconsideration_decide", args=[row.pk]))]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "case_actions": actions})

    change_form_template = "admin/ratings/assistancecase/change_form.html"

    def _decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        row = Reconsideration.objects.select_related("rating_request").filter(pk=object_id).first()
        if row is None or not self.has_view_permission(request):
            raise Http404("No such reconsideration.")
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reconsideration.rating_request_reconsideration_decide(
                    rating_request=row.rating_request,
                    actor=request.user,  # type: ignore[arg-type]
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    password=form.cleaned_data["password"],
                    otp=form.cleaned_data["otp"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.message_user(request, "Reconsideration decided and signed.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:ratings_reconsideration_change", args=[row.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": row,
            "title": f"Decide the reconsideration of {row.rating_request.reference}",
            "form": form,
            "change_url": reverse("admin:ratings_reconsideration_change", args=[row.pk]),
        }
        return TemplateResponse(request, "admin/ratings/reconsideration/decide.html", context)
