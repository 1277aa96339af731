"""Special priorities assistance in the admin: HHS's list of cases (overdue first in view), each
case's page with its audited timeline, and one form per step (take in and name the officer, ask
a party, record an action, issue a directive, close), each calling one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from dpa_portal.errors import ApplicationError
from ratings.admin.audited import AuditHistoryMixin, CaseRecordMixin
from ratings.clock import agency_time
from ratings.constants import HHS_WORKFLOW_ROLES, OrganizationKind
from ratings.constants_assistance import AssistanceOutcome, AssistanceParty, AssistanceStatus, DirectiveRequirement
from ratings.models import AssistanceCase, User
from ratings.selectors import assistance as assistance_selectors
from ratings.services.assistance import cases, directives

BR = SafeString("<br>")


class TakeForm(forms.Form):
    case_officer = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Choose the case officer")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["case_officer"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                memberships__role__in=list(HHS_WORKFLOW_ROLES),
                memberships__is_active=True,
                memberships__organization__kind=OrganizationKind.AGENCY,
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class AskForm(forms.Form):
    party = forms.ChoiceField(choices=AssistanceParty.choices, label="Ask")
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class RecordActionForm(forms.Form):
    action = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Action taken")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=AssistanceOutcome.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Explanation to the parties"
    )


class DirectiveForm(forms.Form):
    requirement = forms.ChoiceField(choices=DirectiveRequirement.choices)
    terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="What the supplier must do."
    )
    schedule_date = forms.CharField(required=False, help_text="Meet a schedule: the date to deliver by (YYYY-MM-DD).")
    password = forms.CharField(widget=forms.PasswordInput, required=False, help_text="Re-enter your password to sign.")
    otp = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


STEPS: dict[str, tuple[str, type[forms.Form]]] = {
    "take": ("Take in and name the case officer", TakeForm),
    "ask": ("Ask a party", AskForm),
    "record_action": ("Record an action taken", RecordActionForm),
    "directive": ("Issue a directive (signature)", DirectiveForm),
    "close": ("Close with the outcome", CloseForm),
}


def _call(step: str, case: AssistanceCase, actor: Any, data: dict[str, Any]) -> None:
    version = case.version
    if step == "take":
        cases.assistance_case_take(case=case, actor=actor, case_officer=data["case_officer"], expected_version=version)
    elif step == "ask":
        cases.assistance_case_ask(
            case=case, actor=actor, party=data["party"], question=data["question"], expected_version=version
        )
    elif step == "record_action":
        cases.assistance_case_record_action(case=case, actor=actor, action=data["action"], expected_version=version)
    elif step == "directive":
        directives.directive_issue(
            case=case,
            actor=actor,
            requirement=data["requirement"],
            terms=data["terms"],
            schedule_date=data["schedule_date"] or None,
            password=data["password"],
            otp=data["otp"],
            expected_version=version,
        )
    else:
        cases.assistance_case_close(
            case=case, actor=actor, outcome=data["outcome"], reason=data["reason"], expected_version=version
        )


class AssistanceCaseAdmin(AuditHistoryMixin, CaseRecordMixin, admin.ModelAdmin):
    change_form_template = "admin/ratings/assistancecase/change_form.html"
    list_display = ("reference", "order", "organization", "problem", "urgency", "status", "case_officer", "due")
    list_filter = ("status", "problem", "urgency")
    search_fields = ("reference", "order__order_number", "organization__legal_name")
    list_select_related = ("order", "organization", "case_officer")
    fields = (
        "reference",
        "order",
        "organization",
        "opened_by",
        "opened_at",
        "problem",
        "urgency",
        "tried",
        "impact",
        "needed_dates",
        "status",
        "case_officer",
        "due",
        "outcome",
        "outcome_reason",
        "closed_at",
        "directives_shown",
        "timeline",
    )
    readonly_fields = fields

    def history_filter(self, obj: Any) -> Q:
        return Q(reference=obj.reference) | Q(object_type="ratings.AssistanceCase", object_id=str(obj.pk))

    @admin.display(description="Target response")
    def due(self, obj: AssistanceCase) -> str:
        late = " — OVERDUE" if assistance_selectors.overdue(obj) else ""
        return agency_time(obj.target_due_at) + late

    @admin.display(description="Directives")
    def directives_shown(self, obj: AssistanceCase) -> SafeString:
        rows = [
            (
                d.number,
                d.get_requirement_display(),
                d.printed_name,
                agency_time(d.signed_at),
                agency_time(d.delivered_at) if d.delivered_at else "not yet",
                f"{d.acknowledged_name}, {agency_time(d.acknowledged_at)}" if d.acknowledged_at else "not yet",
            )
            for d in obj.directives.all()
        ]
        if not rows:
            return SafeString("—")
        return format_html_join(BR, "{}: {}; signed by {} on {}; delivered {}; acknowledged {}", rows)

    @admin.display(description="Timeline (each step is audited)")
    def timeline(self, obj: AssistanceCase) -> SafeString:
        rows = [
            (agency_time(e.at), e.get_kind_display(), e.printed_name, e.text) for e in obj.entries.order_by("at", "pk")
        ]
        return format_html_join(BR, "{} — {} by {}: {}", rows)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/step/<str:step>/", view(self._step_view), name="ratings_assistancecase_step"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        case = self.get_object(request, object_id)
        if case is not None:
            offered = ["take"] if case.status == AssistanceStatus.OPEN else []
            if case.status == AssistanceStatus.IN_PROGRESS:
                offered = ["ask", "record_action", "directive", "close"]
            extra_context["case_actions"] = [
                (STEPS[step][0], reverse("admin:ratings_assistancecase_step", args=[case.pk, step])) for step in offered
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def _step_view(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        case = self.get_queryset(request).filter(pk=object_id).first()
        if case is None or step not in STEPS or not self.has_view_permission(request):
            raise Http404("No such case.")
        title, form_class = STEPS[step]
        form_factory: Callable[..., forms.Form] = form_class
        form = form_factory(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                _call(step, case, request.user, form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:ratings_assistancecase_change", args=[case.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": case,
            "title": f"{title}: {case.reference}",
            "form": form,
            "change_url": reverse("admin:ratings_assistancecase_change", args=[case.pk]),
        }
        return TemplateResponse(request, "admin/ratings/assistancecase/action_form.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssistanceCase]:
        return super().get_queryset(request).select_related("order", "order__supplier", "organization", "case_officer")
