"""The customer's page of a rated order it placed (a manufacturer's order, or a supplier's
flow-down order): the supplier's signed answers with the rule each cites, accepting a date the
supplier offered, recording a delay the supplier reported outside the portal, and the special
priorities assistance cases opened from the order. Each form calls one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from dpa_portal.errors import ApplicationError
from ratings import permissions_casework
from ratings.clock import agency_time
from ratings.constants import OrderStatus
from ratings.models import RatedOrder
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.portal.access import actor, portal_user, render_portal
from ratings.portal.forms import changes as cf
from ratings.portal.forms import placed as pf
from ratings.portal.views.wizard import field_error, posted_version
from ratings.selectors import assistance as assistance_selectors
from ratings.selectors import orders as order_selectors
from ratings.services.assistance import cases
from ratings.services.suppliers import offers
from ratings.services.suppliers import responses as supplier_responses

DELAY_STATUSES = {OrderStatus.ACCEPTED, OrderStatus.FULFILLED}


def get_placed_order(user: Any, order_number: str) -> RatedOrder:
    """The order if the user's organization placed it, else 404 (never another company's data)."""
    order = order_selectors.rated_orders_for(user).filter(order_number=order_number).first()
    if order is None or not permissions_casework.is_placing_party(order, user):
        raise Http404("No such order.")
    return order


def _context(order: RatedOrder, **given: Any) -> dict[str, Any]:
    current = order.versions.filter(number=order.current_version).prefetch_related("items").first()
    return {
        "order": order,
        "current": current,
        "versions": list(order.versions.order_by("-number")),
        "items": list(current.items.all()) if current else [],
        "documents": order_selectors.order_documents(order),
        "responses": order.responses.select_related("version").order_by("responded_at", "pk"),
        "offer": order_selectors.pending_offer(order),
        "prepared": order_selectors.prepared_amendment(order),
        "open_reports": order_selectors.unconfirmed_delay_reports(order),
        "may_record_delay": order.status in DELAY_STATUSES,
        "may_change": order.status in OPEN_ORDER_STATUSES,
        "change_agreements": order_selectors.open_change_agreements(order),
        "sign_form": cf.SignOnlyForm(),
        "cases": assistance_selectors.cases_for_order(order),
        "may_open_case": assistance_selectors.may_open_case(order),
        "timeline": assistance_selectors.order_timeline(order),
        "offer_form": given.get("offer_form") or pf.AcceptOfferForm(),
    }


def _page(request: HttpRequest, order: RatedOrder, status: int = 200, **given: Any) -> HttpResponse:
    context = _context(order, **given)
    # Only an authorized signer signs the placing party's change (permissions_casework.placing_signer_refusal).
    context["change_refusal"] = permissions_casework.placing_signer_refusal(order, request.user)
    return render_portal(request, "portal/placed_order.html", context, legend=True, status=status)


@portal_user
def placed_order_detail(request: HttpRequest, order_number: str) -> HttpResponse:
    return _page(request, get_placed_order(request.user, order_number))


@portal_user
@require_POST
def placed_order_accept_offer(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_placed_order(request.user, order_number)
    form = pf.AcceptOfferForm(request.POST)
    if form.is_valid():
        try:
            offers.rejection_offer_accept(order=order, actor=actor(request), expected_version=posted_version(request))
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, "You accepted the supplier's date; the amendment to that date is prepared.")
            return redirect("portal:placed-order", order_number=order.order_number)
    return _page(request, order, status=400, offer_form=form)


@portal_user
@require_http_methods(["GET", "POST"])
def placed_order_record_delay(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_placed_order(request.user, order_number)
    form: forms.Form = pf.DelayReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_responses.rated_order_record_delay_report(
                order=order,
                actor=actor(request),
                reasons=form.cleaned_data["reasons"],
                new_date=form.cleaned_data["new_date"],
                channel=form.cleaned_data["channel"],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, "The delay is recorded; the supplier must confirm it in writing.")
            return redirect("portal:placed-order", order_number=order.order_number)
    context = {"order": order, "form": form, "title": "Record a delay the supplier reported"}
    status = 400 if request.method == "POST" else 200
    return render_portal(request, "portal/placed_form.html", context, legend=True, status=status)


@portal_user
@require_http_methods(["GET", "POST"])
def placed_order_open_case(request: HttpRequest, order_number: str) -> HttpResponse:
    """Ask HHS for special priorities assistance with this order."""
    order = get_placed_order(request.user, order_number)
    form = pf.OpenCaseForm(request.POST or None, problems=assistance_selectors.problems_for(order))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = cases.assistance_case_open(
                order=order,
                actor=actor(request),
                problem=data["problem"],
                urgency=data["urgency"],
                tried=data["tried"],
                impact=data["impact"],
                needed_dates=form.dates(),
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(
                request, f"Case {case.reference} is open; HHS will answer by {agency_time(case.target_due_at)}."
            )
            return redirect("portal:placed-order", order_number=order.order_number)
    context = {"order": order, "form": form, "title": "Ask HHS for special priorities assistance", "case_form": True}
    status = 400 if request.method == "POST" else 200
    return render_portal(request, "portal/placed_form.html", context, legend=True, status=status)


@portal_user
@require_POST
def placed_case_answer(request: HttpRequest, order_number: str, reference: str) -> HttpResponse:
    order = get_placed_order(request.user, order_number)
    return answer_case(request, order, reference, "portal:placed-order")


def answer_case(request: HttpRequest, order: RatedOrder, reference: str, back: str) -> HttpResponse:
    """A party's answer to HHS's question in a case about `order` (either party's page)."""
    case = order.assistance_cases.filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    form = pf.CaseAnswerForm(request.POST)
    if form.is_valid():
        try:
            cases.assistance_case_answer(case=case, actor=actor(request), answer=form.cleaned_data["answer"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Your answer is on case {case.reference}; the case officer is told.")
    else:
        messages.error(request, "Write your answer before sending it.")
    return redirect(back, order_number=order.order_number)
