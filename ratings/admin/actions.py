"""Decision pages: the whole case on the page beside one decision's form; the form parses input
and calls one service. No choice is pre-selected; an approval states what the signature means."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.admin.approval import ApproveForm
from ratings.admin.assignment import ReviewerChoiceField
from ratings.admin.case import case_context
from ratings.constants import REVIEW_CHECKLIST, Recommendation
from ratings.models import RatingRequest, User
from ratings.selectors import workqueue
from ratings.services import transition
from ratings.services.requests import assignment, corrections, workflow


class _VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, rating_request: RatingRequest, user: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rating_request = rating_request

    def side_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name != "password"]


def _text(label: str, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}), required=False, label=label, help_text=help_text
    )


class ReviewerForm(_VersionedForm):
    """A reviewer among those who may take this request, each with their current workload."""

    reviewer = ReviewerChoiceField(
        required=False, help_text="Reviewers declared conflicted with the requesting organization are not offered."
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, ReviewerChoiceField)
        field.offer({reviewer.pk for reviewer in workqueue.eligible_reviewers(self.rating_request)})


class ReturnForCorrectionForm(_VersionedForm):
    reason = _text("What the applicant must correct", 5, "The applicant sees this text.")


class RequestInformationForm(_VersionedForm):
    question = _text("Question for the applicant", 5)


class RecommendForm(_VersionedForm):
    outcome = forms.ChoiceField(
        choices=Recommendation.choices, widget=forms.RadioSelect, required=False, label="Recommendation"
    )
    rationale = _text("Rationale", 5)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_CHECKLIST.items():
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{key}"] for key in REVIEW_CHECKLIST]


class ReasonForm(_VersionedForm):
    reason = _text("Reason")


class DenyForm(_VersionedForm):
    reason = _text("Reasons for the denial", 4, "The applicant sees these reasons.")


# Each takes the request and the signed-in user beside the posted data.
FORMS: dict[str, Callable[..., forms.Form]] = {
    "accept_for_review": ReviewerForm,
    "assign": ReviewerForm,
    "return_for_correction": ReturnForCorrectionForm,
    "request_information": RequestInformationForm,
    "recommend": RecommendForm,
    "return_for_rework": ReasonForm,
    "approve": ApproveForm,
    "deny": DenyForm,
}
TITLES = {
    "accept_for_review": "Accept for review and assign a reviewer",
    "assign": "Reassign the reviewer",
    "return_for_correction": "Return to the applicant for correction",
    "request_information": "Ask the applicant a question",
    "recommend": "Recommend a decision",
    "return_for_rework": "Return to the reviewer",
    "approve": "Approve and sign",
    "deny": "Deny",
}
DONE = {**workflow.ACTION_LABELS, "assign": "reassigned"}


def _call_service(action: str, rating_request: RatingRequest, user: User, data: dict[str, Any]) -> RatingRequest:
    common = {"rating_request": rating_request, "actor": user, "expected_version": data["expected_version"]}
    if action == "accept_for_review":
        return workflow.rating_request_accept_for_review(reviewer=data["reviewer"], **common)
    if action == "assign":
        return assignment.rating_request_assign(reviewer=data["reviewer"], **common)
    if action == "return_for_correction":
        return corrections.rating_request_return_for_correction(reason=data["reason"], **common)
    if action == "request_information":
        return workflow.rating_request_request_information(question=data["question"], **common)
    if action == "recommend":
        checklist = {key: bool(data[f"check_{key}"]) for key in REVIEW_CHECKLIST}
        return workflow.rating_request_recommend(
            outcome=data["outcome"], rationale=data["rationale"], checklist=checklist, **common
        )
    if action == "approve":
        return workflow.rating_request_approve(
            password=data["password"], otp=data["otp"], reason=data["reason"], decision=data["decision"], **common
        )
    service = workflow.TRANSITION_SERVICES[action]
    return service(reason=data["reason"], **common)


def _may_reassign(rating_request: RatingRequest, user: Any) -> bool:
    return (
        rating_request.assigned_reviewer_id is not None
        and assignment.ASSIGN.refusal(transition.REQUEST, rating_request, user) is None
    )


def _refusal(action: str, rating_request: RatingRequest, user: Any) -> str | None:
    """Why the user may not take the decision now (the request's state, then the rule), or None."""
    guard = assignment.ASSIGN if action == "assign" else workflow.ACTIONS[action]
    return guard.refusal(transition.REQUEST, rating_request, user)


def decisions_for(rating_request: RatingRequest, user: Any) -> list[tuple[str, str, str]]:
    """(action, title, URL) of every decision the user may take on the request now."""
    names = [a for a in workflow.available_actions(rating_request, user) if a in FORMS]
    if _may_reassign(rating_request, user):
        names.append("assign")
    return [
        (name, TITLES[name], reverse("admin:ratings_ratingrequest_transition", args=[rating_request.pk, name]))
        for name in names
    ]


def _done_message(action: str, rating_request: RatingRequest, data: dict[str, Any]) -> str:
    """What happened, in words: who was asked what, rather than "the request sent a question"."""
    if action == "request_information":
        return (
            f"Request {rating_request.reference}: you asked {rating_request.applicant_organization.legal_name} "
            f"“{data['question']}” They are told at once; the review clock waits for their answer."
        )
    return f"Request {rating_request.reference} {DONE[action]}."


def transition_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
    if action not in FORMS:
        raise Http404("No such action.")
    # Scoped like the list: a draft or a request the viewer may not list is simply not found.
    found = model_admin.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
    if found is None or not model_admin.has_view_permission(request, found):
        raise Http404("No such request.")
    rating_request: RatingRequest = found
    change_url = reverse("admin:ratings_ratingrequest_change", args=[rating_request.pk])
    refusal = _refusal(action, rating_request, request.user) if request.method != "POST" else None
    if refusal:
        # Said before anyone types a password or a code; a POST is still refused (and audited) by the service.
        model_admin.message_user(request, refusal, messages.ERROR)
        return HttpResponseRedirect(change_url)
    form_class = FORMS[action]
    if request.method == "POST":
        form = form_class(request.POST, rating_request=rating_request, user=request.user)
        if form.is_valid():
            try:
                _call_service(action, rating_request, request.user, form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                named = getattr(form, "error_field", None)
                field = named(error.field) if named else (error.field if error.field in form.fields else None)
                form.add_error(field, error.message)
            else:
                model_admin.message_user(
                    request, _done_message(action, rating_request, form.cleaned_data), messages.SUCCESS
                )
                return HttpResponseRedirect(change_url)
    else:
        form = form_class(
            initial={"expected_version": rating_request.version}, rating_request=rating_request, user=request.user
        )
    others = [d for d in decisions_for(rating_request, request.user) if d[0] != action]
    context = {
        **model_admin.admin_site.each_context(request),
        **case_context(rating_request),
        "opts": model_admin.model._meta,
        "original": rating_request,
        "title": f"{TITLES[action]}: {rating_request.reference}",
        "form": form,
        "action": action,
        "action_title": TITLES[action],
        "other_decisions": others,
        "change_url": change_url,
        "signer": request.user,
        "membership": permissions.approving_membership(
            request.user, form.initial.get("approved_level") or rating_request.requested_level
        ),
    }
    return TemplateResponse(request, "admin/ratings/ratingrequest/transition_form.html", context)
