"""The supplier signs its agreement to a change the customer proposed; the customer then applies
the agreed change, which is not a new rated order (45 CFR 101.36(d)). Each form calls one service;
a refusal or an error comes back as a message on the order's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from ratings.models import ChangeAgreement, RatedOrder
from ratings.portal.access import actor, get_my_order, portal_user, supplier_only
from ratings.portal.forms import changes as cf
from ratings.portal.views.placed import get_placed_order
from ratings.services.orders import agreements
from ratings.services.orders import changes as order_changes
from ratings.services.orders.amended_items import from_snapshot


def _agreement(order: RatedOrder, agreement_id: int) -> ChangeAgreement:
    row = order.change_agreements.filter(pk=agreement_id).first()
    if row is None:
        raise Http404("No such change.")
    return row


def _form_problem(request: HttpRequest, form: cf.SignOnlyForm) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


@supplier_only
@require_POST
def order_change_agree(request: HttpRequest, order_number: str, agreement_id: int) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    row = _agreement(order, agreement_id)
    form = cf.SignOnlyForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
    else:
        try:
            agreements.change_agreement_sign(
                agreement=row,
                actor=actor(request),
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Your signed agreement to the change is recorded; the customer is told.")
    return redirect("portal:order-detail", order_number=order.order_number)


@portal_user
@require_POST
def placed_change_apply(request: HttpRequest, order_number: str, agreement_id: int) -> HttpResponse:
    order = get_placed_order(request.user, order_number)
    row = _agreement(order, agreement_id)
    form = cf.SignOnlyForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
    else:
        try:
            order = order_changes.rated_order_amend(
                order=order,
                actor=actor(request),
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
                reason=row.reason,
                items=[from_snapshot(item) for item in row.items],
                agreement=row,
                expected_version=row.version.number,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"The agreed change is sent as version {order.current_version}; it is not a new rated order."
            )
    return redirect("portal:placed-order", order_number=order.order_number)
