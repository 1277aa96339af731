"""The rating authorization in the portal: what HHS authorized, the orders placed under it, and
the form an authorized signer places (and signs) one rated order per supplier with. HHS staff
see authorizations in the admin; the download and public verification are here too."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from dpa_portal.errors import ApplicationError, NotFound
from ratings import permissions_placing
from ratings.models import RatingAuthorization
from ratings.portal.access import actor, portal_user, render_portal
from ratings.portal.forms.placing import PlaceOrderForm
from ratings.portal.views.wizard import posted_version
from ratings.selectors import authorizations as authorization_selectors
from ratings.services.authorizations import documents as authorization_documents
from ratings.services.orders import placing

ITEM_FIELD = re.compile(r"^items\[(\d+)\]\.(\w+)")


def get_authorization(user: object, number: str) -> RatingAuthorization:
    """The authorization if the user's organization holds it, else 404 (never another company's)."""
    authorization = authorization_selectors.authorizations_for(user).filter(number=number).first()
    if authorization is None:
        raise Http404("No such authorization.")
    return authorization


@portal_user
def authorization_detail(request: HttpRequest, number: str) -> HttpResponse:
    authorization = get_authorization(request.user, number)
    context = {
        "authorization": authorization,
        "slots": authorization_selectors.supplier_slots(authorization),
        "may_place": permissions_placing.order_placing_refusal(authorization, request.user) is None
        and permissions_placing.authorization_state_refusal(authorization) is None,
    }
    return render_portal(request, "portal/authorization_detail.html", context, legend=True)


def _form_error(form: PlaceOrderForm, error: ApplicationError) -> None:
    """The service's message beside the field it names: an item's quantity, dates or ship-to."""
    match = ITEM_FIELD.match(error.field or "")
    if match:
        name = {"quantity": "quantity", "deliveries": "deliveries", "ship_to": "ship_to"}.get(match.group(2), "")
        field = f"{name}_{match.group(1)}"
        if field in form.fields:
            form.add_error(field, error.message)
            return
    form.add_error(error.field if error.field in form.fields else None, error.message)


@portal_user
@require_http_methods(["GET", "POST"])
def authorization_place(request: HttpRequest, number: str, supplier_id: int) -> HttpResponse:
    """An authorized signer places one rated order with one authorized supplier; anyone else is
    refused by the service (audited) and shown why."""
    authorization = get_authorization(request.user, number)
    slot = next(
        (s for s in authorization_selectors.supplier_slots(authorization) if s.supplier.pk == supplier_id), None
    )
    if slot is None:
        raise Http404("The authorization lists no such supplier.")
    if slot.order is not None and request.method == "GET":
        messages.info(
            request, f"Rated order {slot.order.order_number} was already placed with {slot.supplier.legal_name}."
        )
        return redirect("portal:authorization-detail", number=authorization.number)
    status = 200
    if request.method == "POST":
        form = PlaceOrderForm(request.POST, authorized=slot.items)
        if form.is_valid():
            try:
                order = placing.rated_order_place(
                    authorization=authorization,
                    actor=actor(request),
                    supplier_id=supplier_id,
                    po_number=form.cleaned_data["po_number"],
                    items=form.placed_items(),
                    password=form.cleaned_data["password"],
                    otp=form.cleaned_data["otp"],
                    expected_version=posted_version(request),
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    f"You placed and signed rated order {order.order_number} with {slot.supplier.legal_name}; "
                    "the supplier is told now.",
                )
                return redirect("portal:placed-order", order_number=order.order_number)
        status = 400
    else:
        po, _ = placing.placement_defaults(authorization, supplier_id)
        form = PlaceOrderForm(initial={"po_number": po}, authorized=slot.items)
    context = {"authorization": authorization, "supplier": slot.supplier, "form": form}
    return render_portal(request, "portal/authorization_place.html", context, legend=True, status=status)


@require_GET
@login_required
def authorization_document_download(request: HttpRequest, number: str) -> HttpResponseBase:
    try:
        authorization = authorization_documents.authorization_document_download(number=number, actor=actor(request))
    except NotFound as error:
        raise Http404(error.message) from None
    response = FileResponse(
        authorization.document.open("rb"),
        as_attachment=True,
        filename=f"{authorization.number}-v{authorization.version}-authorization.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
