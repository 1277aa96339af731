"""The guided request form: five steps, each saving the draft through ratings.services.requests.drafts.

Views parse input and call one service; a service's ApplicationError is shown beside the field
it names (`field_error`), and the page is re-rendered from what the user typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from dpa_portal.errors import ApplicationError, ConcurrentChange
from ratings.constants import CERTIFICATION_TEXT, EDITABLE_STATES, FALSE_STATEMENT_WARNING, RequestState
from ratings.models import RatingRequest
from ratings.portal.access import actor, applicant_only, applicant_organizations, get_my_request, render_portal
from ratings.portal.forms import requests as portal_forms
from ratings.portal.views import stale
from ratings.services.items import MAX_ITEMS_PER_REQUEST, DeliveryInput
from ratings.services.requests import attachments as request_attachments
from ratings.services.requests import corrections, drafts, workflow

STEPS = [
    ("details", "Applicant and program"),
    ("items", "Line items"),
    ("justification", "Justification"),
    ("attachments", "Attachments"),
    ("review", "Review and certify"),
]
STEP_URLS = {name: f"portal:request-{name}" for name, _ in STEPS}
ITEM_ERROR = re.compile(r"^(?:line_items|items)\[(\d+)\]\.(\w+)")


def field_error(form: forms.Form, error: ApplicationError, aliases: dict[str, str] | None = None) -> None:
    """Put the service's message beside the field it names, or at the top of the form."""
    name = (aliases or {}).get(error.field or "", error.field or "")
    form.add_error(name if name in form.fields else None, error.message)


def item_error(item_forms: list[forms.Form], error: ApplicationError) -> bool:
    """Put an error naming item n ("items[n].quantity", "line_items[n].deliveries[2]...") beside
    that field of the n-th form; False when it names no item shown."""
    match = ITEM_ERROR.match(error.field or "")
    if not match or not 1 <= int(match.group(1)) <= len(item_forms):
        return False
    form = item_forms[int(match.group(1)) - 1]
    name = "required_dates" if match.group(2) == "deliveries" else match.group(2)
    form.add_error(name if name in form.fields else None, error.message)
    return True


def with_one_more_row(request: HttpRequest) -> tuple[QueryDict, int]:
    """ "Add another item" without JavaScript: the posted rows (how many) and one more blank row."""
    data = request.POST.copy()
    try:
        total = max(int(data.get("items-TOTAL_FORMS", "")), 0)
    except ValueError:
        total = 0  # a tampered count: the formset then shows what it can read
    data["items-TOTAL_FORMS"] = str(min(total + 1, MAX_ITEMS_PER_REQUEST))
    return data, total


def posted_version(request: HttpRequest) -> int | None:
    """The version the user's page was built from, so a concurrent change is refused, not overwritten."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _step_context(rr: RatingRequest | None, current: str, request: HttpRequest | None = None) -> dict[str, Any]:
    index = [name for name, _ in STEPS].index(current)
    return {
        "form_version": stale.form_version(request, rr) if request is not None else (rr.version if rr else None),
        "steps": [
            {"name": name, "label": label, "status": "complete" if i < index else "current" if i == index else ""}
            for i, (name, label) in enumerate(STEPS)
        ],
        "step_number": index + 1,
        "step_label": STEPS[index][1],
        "step_total": len(STEPS),
        "rr": rr,
    }


def _next(request: HttpRequest, rr: RatingRequest, step: str) -> HttpResponse:
    """After a save: "Save draft and exit" leaves for the request's page; otherwise the next step."""
    if "exit" in request.POST:
        messages.success(request, f"Draft {rr.reference} saved. You can come back to it at any time.")
        return redirect("portal:request-detail", pk=rr.pk)
    names = [name for name, _ in STEPS]
    return redirect(STEP_URLS[names[names.index(step) + 1]], pk=rr.pk)


def _details_input(rr: RatingRequest | None, **values: Any) -> drafts.RequestDetails:
    base: dict[str, Any] = {name: getattr(rr, name) for name in drafts.DETAIL_FIELDS} if rr else {}
    base.update(values)
    base.setdefault("justification_need", "")
    return drafts.RequestDetails(**base)


def _editable(request: HttpRequest, pk: int) -> tuple[RatingRequest, HttpResponse | None]:
    rr = get_my_request(request.user, pk)
    if rr.state not in EDITABLE_STATES:
        messages.error(
            request,
            f"Request {rr.reference} is {rr.get_state_display().lower()}; only drafts and requests returned "
            "for correction can be edited.",
        )
        return rr, redirect("portal:request-detail", pk=rr.pk)
    return rr, None


@applicant_only
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rr = None
    if pk is not None:
        rr, away = _editable(request, pk)
        if away:
            return away
    initial = _details_initial(rr) if rr else {}
    form = portal_forms.DetailsForm(request.POST or None, initial=initial or {"requested_level": "DO"})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            name: data[name]
            for name in (
                "government_program",
                "contract_number",
                "end_customer",
                "health_resource",
                "category",
                "requested_level",
                "is_emergency",
                "emergency_response_hours",
                "contracting_agency",
                "contracting_officer",
                "fda_status",
                "fda_status_other",
                "fda_number",
                "related_rated_orders",
            )
        }
        values["program_id"] = data["program"]
        try:
            if rr is None:
                rr = drafts.rating_request_create(
                    actor=actor(request),
                    organization=applicant_organizations(request.user)[0],
                    details=_details_input(None, **values),
                )
            else:
                rr = drafts.rating_request_update(
                    rating_request=rr,
                    actor=actor(request),
                    details=_details_input(rr, **values),
                    expected_version=stale.expected_version(request),
                )
        except ConcurrentChange:
            assert rr is not None  # a new draft has no version to be stale against
            conflict = stale.form_conflict(form, rr, initial)
        except ApplicationError as error:
            field_error(form, error)
        else:
            return _next(request, rr, "details")
    organization = applicant_organizations(request.user)[0] if rr is None else rr.applicant_organization
    return render_portal(
        request,
        "portal/step_details.html",
        {**_step_context(rr, "details", request), "form": form, "organization": organization, "conflict": conflict},
        legend=True,
    )


def _details_initial(rr: RatingRequest) -> dict[str, Any]:
    initial = {name: getattr(rr, name) for name in drafts.DETAIL_FIELDS if name != "program_id"}
    initial["program"] = str(rr.program_id)
    initial["related_rated_orders"] = ", ".join(rr.related_rated_orders or [])
    return initial


def _item_initial(rr: RatingRequest) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in rr.line_items.prefetch_related("deliveries"):
        quantity = item.quantity.normalize() if isinstance(item.quantity, Decimal) else item.quantity
        rows.append(
            {
                "supplier": str(item.supplier_id),
                "po_number": item.po_number,
                "description": item.description,
                "part_number": item.part_number,
                "quantity": f"{quantity:f}",
                "unit": item.unit,
                "required_dates": ", ".join(d.required_date.isoformat() for d in item.deliveries.all()),
                "quoted_date": item.quoted_date.isoformat() if item.quoted_date else "",
                "order_value": f"{item.order_value:f}" if item.order_value is not None else "",
            }
        )
    return rows or [{}]


@applicant_only
@require_http_methods(["GET", "POST"])
def items(request: HttpRequest, pk: int) -> HttpResponse:
    rr, away = _editable(request, pk)
    if away:
        return away
    page_errors: list[str] = []
    conflict = None
    if request.method == "POST" and "add_item" in request.POST:
        data, total = with_one_more_row(request)
        formset = portal_forms.LineItemFormSet(data, prefix="items")
        formset.is_valid()
        for form in formset.forms[total:]:
            form._errors = forms.utils.ErrorDict()  # the new row starts clean
    elif request.method == "POST":
        formset = portal_forms.LineItemFormSet(request.POST, prefix="items")
        if formset.is_valid():
            kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            inputs = [
                drafts.LineItemInput(
                    supplier_id=f.cleaned_data["supplier"],
                    po_number=f.cleaned_data["po_number"],
                    description=f.cleaned_data["description"],
                    part_number=f.cleaned_data["part_number"],
                    quantity=f.cleaned_data["quantity"],
                    unit=f.cleaned_data["unit"],
                    deliveries=[DeliveryInput(day) for day in f.dates()],
                    quoted_date=f.cleaned_data["quoted_date"],
                    order_value=f.cleaned_data["order_value"],
                )
                for f in kept
            ]
            try:
                rr = drafts.rating_request_set_line_items(
                    rating_request=rr,
                    actor=actor(request),
                    line_items=inputs,
                    expected_version=stale.expected_version(request),
                )
            except ConcurrentChange:
                conflict = stale.items_conflict(
                    rr, stale.saved_item_texts(rr), [stale.typed_item_text(f) for f in kept]
                )
            except ApplicationError as error:
                if not item_error(kept, error):
                    page_errors.append(error.message)
            else:
                return _next(request, rr, "items")
    else:
        formset = portal_forms.LineItemFormSet(initial=_item_initial(rr), prefix="items")
    return render_portal(
        request,
        "portal/step_items.html",
        {**_step_context(rr, "items", request), "formset": formset, "page_errors": page_errors, "conflict": conflict},
        legend=True,
    )


@applicant_only
@require_http_methods(["GET", "POST"])
def justification(request: HttpRequest, pk: int) -> HttpResponse:
    rr, away = _editable(request, pk)
    if away:
        return away
    initial = {name: getattr(rr, name) for name in portal_forms.JustificationForm.base_fields}
    form = portal_forms.JustificationForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            rr = drafts.rating_request_update(
                rating_request=rr,
                actor=actor(request),
                details=_details_input(rr, **form.cleaned_data),
                expected_version=stale.expected_version(request),
            )
        except ConcurrentChange:
            conflict = stale.form_conflict(form, rr, initial)
        except ApplicationError as error:
            field_error(form, error)
        else:
            return _next(request, rr, "justification")
    return render_portal(
        request,
        "portal/step_justification.html",
        {**_step_context(rr, "justification", request), "form": form, "conflict": conflict},
        legend=True,
    )


@applicant_only
@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, pk: int) -> HttpResponse:
    rr, away = _editable(request, pk)
    if away:
        return away
    form = portal_forms.AttachmentForm(request.POST or None, request.FILES or None)
    # One form: "Continue to review" and "Save draft and exit" upload a chosen file first, so a
    # file is never left behind; without one they just move on.
    if request.method == "POST" and "upload" not in request.POST and not request.FILES:
        return _next(request, rr, "attachments")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment = request_attachments.attachment_add(
                rating_request=rr, actor=actor(request), stream=upload, original_name=upload.name or "attachment"
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, f"“{attachment.original_name}” was attached.")
            if "upload" in request.POST:
                return redirect("portal:request-attachments", pk=rr.pk)
            return _next(request, rr, "attachments")
    return render_portal(
        request,
        "portal/step_attachments.html",
        {
            **_step_context(rr, "attachments", request),
            "form": form,
            "attachments": rr.attachments.all(),
            "accepted": portal_forms.accepted_files_text(),
        },
        legend=True,
    )


@applicant_only
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    rr, away = _editable(request, pk)
    if away:
        return away
    returned = rr.state == RequestState.RETURNED
    form = (portal_forms.ResubmitForm if returned else portal_forms.CertifyForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attestation = workflow.Attestation(form.cleaned_data["typed_name"], form.cleaned_data["certify"])
        try:
            if returned:
                rr = corrections.rating_request_resubmit(
                    rating_request=rr,
                    actor=actor(request),
                    attestation=attestation,
                    note=form.cleaned_data["note"],
                    expected_version=posted_version(request),
                )
            else:
                rr = workflow.rating_request_submit(
                    rating_request=rr,
                    actor=actor(request),
                    attestation=attestation,
                    expected_version=posted_version(request),
                )
        except ApplicationError as error:
            field_error(form, error)
        else:
            done = "corrected, certified and resubmitted" if returned else "certified and submitted"
            messages.success(request, f"Request {rr.reference} was {done} to HHS.")
            return redirect("portal:request-detail", pk=rr.pk)
    return render_portal(
        request,
        "portal/step_review.html",
        {
            **_step_context(rr, "review", request),
            "form": form,
            "warning": FALSE_STATEMENT_WARNING,
            "certification_text": CERTIFICATION_TEXT,
            "line_items": rr.line_items.select_related("supplier").prefetch_related("deliveries"),
            "attachments": rr.attachments.all(),
            "returned": rr.submissions.order_by("-number").first() if returned else None,
        },
        legend=True,
    )
