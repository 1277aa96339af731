"""Admin confirmation forms for workflow transitions: parse input, call one service, report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from dpa_portal.errors import ApplicationError
from ratings.constants import REVIEW_CHECKLIST, Recommendation, Role
from ratings.models import RatingRequest, User
from ratings.services.requests import workflow


class _VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(_VersionedForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Reason")


class AcceptForReviewForm(_VersionedForm):
    reviewer = forms.ModelChoiceField(
        queryset=User.objects.filter(
            memberships__role=Role.REVIEWER,
            memberships__is_active=True,
            memberships__organization__kind="agency",
        ).distinct(),
        required=False,
    )


class RequestInformationForm(_VersionedForm):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)


class RecommendForm(_VersionedForm):
    outcome = forms.ChoiceField(choices=Recommendation.choices)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_CHECKLIST.items():
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)


class ApproveForm(_VersionedForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Decision note")
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="Re-enter your password to sign the approval (21 CFR 11.200).",
    )
    otp = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="A fresh 6-digit code from your authenticator app: the second factor of your signature.",
    )


FORMS: dict[str, type[_VersionedForm]] = {
    "accept_for_review": AcceptForReviewForm,
    "request_information": RequestInformationForm,
    "recommend": RecommendForm,
    "return_for_rework": ReasonForm,
    "approve": ApproveForm,
    "deny": ReasonForm,
}


def _call_service(action: str, rating_request: RatingRequest, user: User, data: dict[str, Any]) -> RatingRequest:
    common = {
        "rating_request": rating_request,
        "actor": user,
        "expected_version": data["expected_version"],
    }
    if action == "accept_for_review":
        return workflow.rating_request_accept_for_review(reviewer=data["reviewer"], **common)
    if action == "request_information":
        return workflow.rating_request_request_information(question=data["question"], **common)
    if action == "recommend":
        checklist = {key: bool(data[f"check_{key}"]) for key in REVIEW_CHECKLIST}
        return workflow.rating_request_recommend(
            outcome=data["outcome"], rationale=data["rationale"], checklist=checklist, **common
        )
    if action == "approve":
        return workflow.rating_request_approve(
            password=data["password"], otp=data["otp"], reason=data["reason"], **common
        )
    service = workflow.TRANSITION_SERVICES[action]
    return service(reason=data["reason"], **common)


def transition_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
    if action not in FORMS:
        raise Http404("No such action.")
    # Scoped like the list: a draft or a request the viewer may not list is simply not found.
    found = model_admin.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
    if found is None or not model_admin.has_view_permission(request, found):
        raise Http404("No such request.")
    rating_request: RatingRequest = found
    change_url = reverse("admin:ratings_ratingrequest_change", args=[rating_request.pk])
    form_class = FORMS[action]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                _call_service(action, rating_request, request.user, form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                if error.field and error.field in form.fields:
                    form.add_error(error.field, error.message)
                else:
                    form.add_error(None, error.message)
            else:
                label = workflow.ACTION_LABELS[action]
                model_admin.message_user(request, f"Request {rating_request.reference} {label}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
    else:
        form = form_class(initial={"expected_version": rating_request.version})
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": rating_request,
        "title": f"{action.replace('_', ' ').capitalize()}: {rating_request.reference}",
        "form": form,
        "action": action,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/ratings/ratingrequest/transition_form.html", context)
