"""Who may use the portal, and the organization scoping of every object it shows."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ratings import permissions
from ratings.constants import CONFIDENTIALITY_LEGEND, OrganizationKind, Role
from ratings.models import Organization, RatedOrder, RatingRequest, User
from ratings.selectors import orders as order_selectors


def applicant_organizations(user: Any) -> list[Organization]:
    return [
        m.organization
        for m in permissions.active_memberships(user)
        if m.role == Role.APPLICANT and m.organization.kind == OrganizationKind.MANUFACTURER
    ]


def portal_user(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in, non-HHS users only. HHS staff work in the admin, so they are sent there."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if permissions.is_hhs_staff(request.user):
            return redirect("admin:index")
        return view(request, *args, **kwargs)

    return wrapper


def applicant_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Manufacturer applicants only; anyone else gets 404 (we do not reveal the page exists)."""

    @portal_user
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not applicant_organizations(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def my_requests(user: Any) -> QuerySet[RatingRequest]:
    """Requests of the user's own manufacturer organizations; never anyone else's."""
    return RatingRequest.objects.select_related("applicant_organization", "program").filter(
        applicant_organization__in=applicant_organizations(user)
    )


def get_my_request(user: Any, pk: int) -> RatingRequest:
    """The request if it belongs to the user's organization, else 404 (never another company's data)."""
    rating_request = my_requests(user).filter(pk=pk).first()
    if rating_request is None:
        raise Http404("No such request.")
    return rating_request


def render_portal(
    request: HttpRequest, template: str, context: dict[str, Any], *, legend: bool = False, status: int = 200
) -> HttpResponse:
    memberships = permissions.active_memberships(request.user)
    context = {
        **context,
        "portal_membership": memberships[0] if memberships else None,
        "portal_applicant": bool(applicant_organizations(request.user)),
        "portal_supplier": bool(supplier_organizations(request.user)),
        "show_legend": legend,
        "legend": CONFIDENTIALITY_LEGEND,
    }
    return render(request, template, context, status=status)


def actor(request: HttpRequest) -> User:
    """The signed-in user, typed for the services (the decorators guarantee one)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


# --- Suppliers ---------------------------------------------------------------


def supplier_organizations(user: Any) -> list[Organization]:
    return [
        m.organization
        for m in permissions.active_memberships(user)
        if m.role == Role.SUPPLIER_CONTACT and m.organization.kind == OrganizationKind.SUPPLIER
    ]


def supplier_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Supplier contacts only; anyone else (a manufacturer too) gets 404."""

    @portal_user
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not supplier_organizations(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def my_orders(user: Any) -> QuerySet[RatedOrder]:
    """Rated orders addressed to the user's own supplier organizations; never anyone else's."""
    return order_selectors.supplier_orders_for(user).filter(supplier__in=supplier_organizations(user))


def get_my_order(user: Any, order_number: str) -> RatedOrder:
    """The order if it is addressed to the user's organization, else 404 (never another company's data)."""
    order = my_orders(user).filter(order_number=order_number).first()
    if order is None:
        raise Http404("No such order.")
    return order
