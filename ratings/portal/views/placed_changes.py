"""The party that placed an order amends or cancels it in writing (45 CFR 101.36(a)(2)), through
the same services HHS uses: a new signed version or a signed cancellation notice. Anyone else
is told the order does not exist; a refusal by the service is audited there."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from dpa_portal.errors import ApplicationError
from ratings import permissions_casework
from ratings.models import RatedOrder
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.portal.access import actor, portal_user, render_portal
from ratings.portal.forms import changes as cf
from ratings.portal.views.placed import get_placed_order
from ratings.portal.views.wizard import field_error, posted_version
from ratings.selectors import orders as order_selectors
from ratings.services.orders import agreements
from ratings.services.orders import changes as order_changes


def _closed(request: HttpRequest, order: RatedOrder) -> HttpResponse | None:
    """A closed order, or (on opening the form) someone who may not sign its change: back to the
    order with why. A POST goes to the service, which refuses and audits it."""
    if order.status not in OPEN_ORDER_STATUSES:
        messages.error(
            request, f"Order {order.order_number} is {order.get_status_display().lower()}; it cannot change."
        )
    elif request.method == "GET" and (refusal := permissions_casework.placing_signer_refusal(order, request.user)):
        messages.error(request, refusal)
    else:
        return None
    return redirect("portal:placed-order", order_number=order.order_number)


def _page(request: HttpRequest, order: RatedOrder, form: forms.Form, *, cancel: bool) -> HttpResponse:
    context = {
        "order": order,
        "form": form,
        "cancel": cancel,
        "title": "Cancel the order" if cancel else "Amend the order",
    }
    status = 400 if request.method == "POST" else 200
    return render_portal(request, "portal/placed_change.html", context, legend=True, status=status)


@portal_user
@require_http_methods(["GET", "POST"])
def placed_order_amend(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_placed_order(request.user, order_number)
    closed = _closed(request, order)
    if closed:
        return closed
    current = order.versions.get(number=order.current_version)
    # The customer accepted the date a rejecting supplier offered: the amendment comes prepared.
    items_now = order_selectors.prepared_amendment(order) or current.items_snapshot
    form = cf.PlacedAmendForm(request.POST or None, items_now=items_now)
    proposing = "propose" in request.POST
    if request.method == "POST" and form.is_valid() and proposing:
        try:
            agreements.change_agreement_propose(
                order=order,
                actor=actor(request),
                reason=form.cleaned_data["reason"],
                items=form.amended_items(),
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            form.add_error(form.field_for(error.field), error.message)
        else:
            messages.success(request, "The change is proposed; the supplier is asked to sign its agreement.")
            return redirect("portal:placed-order", order_number=order.order_number)
    elif request.method == "POST" and form.is_valid() and not form.cleaned_data["password"]:
        form.add_error("password", "Re-enter your password to sign.")
    elif request.method == "POST" and form.is_valid():
        try:
            order = order_changes.rated_order_amend(
                order=order,
                actor=actor(request),
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
                reason=form.cleaned_data["reason"],
                items=form.amended_items(),
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            form.add_error(form.field_for(error.field), error.message)
        else:
            version = order.versions.get(number=order.current_version)
            messages.success(
                request,
                f"Order {order.order_number} is amended (version {version.number}, "
                f"{version.get_significance_display().lower()}); the supplier is told.",
            )
            return redirect("portal:placed-order", order_number=order.order_number)
    return _page(request, order, form, cancel=False)


@portal_user
@require_http_methods(["GET", "POST"])
def placed_order_cancel(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_placed_order(request.user, order_number)
    closed = _closed(request, order)
    if closed:
        return closed
    form = cf.PlacedCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = order_changes.rated_order_cancel(
                order=order,
                actor=actor(request),
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
                reason=form.cleaned_data["reason"],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(
                request, f"Order {order.order_number} is cancelled; the supplier and its sub-tier suppliers are told."
            )
            return redirect("portal:placed-order", order_number=order.order_number)
    return _page(request, order, form, cancel=True)
