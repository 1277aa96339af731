"""Portal pages for suppliers: the rated orders addressed to their organization, in order of
precedence (15 CFR 700.14), and the order's page where they accept, reject or counter-offer,
notify a delay, mark it fulfilled and record the orders they extended to their own suppliers.

Views parse input and call one service of ratings.services.suppliers.responses; its
ApplicationError is shown beside the field it names, with the user's input kept. The order is
always looked up among the orders addressed to the user's organization: anyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from dpa_portal.errors import ApplicationError, PermissionRefused
from dpa_portal.pagination import PAGE_SIZE
from ratings import permissions
from ratings.clock import AnswerClock, answer_clock
from ratings.constants import OrderStatus
from ratings.models import Document, RatedOrder
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.portal.access import (
    actor,
    get_my_order,
    my_orders,
    render_portal,
    supplier_only,
    supplier_organizations,
)
from ratings.portal.forms import changes as cf
from ratings.portal.forms import orders as sf
from ratings.portal.views.wizard import field_error, item_error, posted_version, with_one_more_row
from ratings.selectors import assistance as assistance_selectors
from ratings.selectors import attention, order_pages
from ratings.selectors import orders as order_selectors
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as supplier_responses

# What the page offers in each status. The services decide; this only chooses which forms to show.
# A delay notice is a response record: the order stays accepted.
AWAITING_ANSWER = set(AWAITING_RESPONSE_STATUSES)
IN_PROGRESS = {OrderStatus.ACCEPTED}
ACTIONS = {
    "accept": AWAITING_ANSWER,
    "reject": AWAITING_ANSWER,
    "delay": IN_PROGRESS,
    "fulfil": IN_PROGRESS,
    "flowdown": IN_PROGRESS,
    "confirm_delay": {OrderStatus.ACCEPTED, OrderStatus.FULFILLED},
}
ACTION_TITLES = {
    "reject": "Reject the order or offer another date",
    "delay": "Notify a delay",
    "confirm_delay": "Confirm in writing a delay you reported",
    "flowdown": "Record an order extended to your supplier",
}
DASHBOARD_OTHERS = 20  # answered orders shown on the home page


def order_clock(order: RatedOrder, *, overdue: bool | None = None) -> AnswerClock:
    """From the current version's due time (order_selectors.supplier_orders_for annotates it)."""
    return answer_clock(
        getattr(order, "response_due_at", None), awaiting=order.status in AWAITING_ANSWER, overdue=overdue
    )


@dataclass(frozen=True)
class OrderRow:
    order: RatedOrder
    clock: AnswerClock
    conflict: bool
    awaiting: bool


def order_rows(orders: Iterable[RatedOrder]) -> list[OrderRow]:
    """Rows for orders already in the page's order (see `order_selectors.overdue_first`)."""
    orders = list(orders)
    conflicts = order_selectors.order_conflicts(orders)
    return [
        OrderRow(
            order=order,
            clock=order_clock(order, overdue=getattr(order, "is_overdue", None)),
            conflict=order.pk in conflicts,
            awaiting=order.status in AWAITING_ANSWER,
        )
        for order in orders
    ]


@supplier_only
def order_list(request: HttpRequest) -> HttpResponse:
    """Overdue answers first, then the order of precedence; 50 a page, each read after the last
    row shown, so a supplier with thousands of rated orders gets any page as fast as one with ten."""
    page = order_pages.supplier_order_page(my_orders(request.user), request.GET.get("after"))
    return render_portal(request, "portal/order_list.html", {"rows": order_rows(page.rows), "page": page}, legend=True)


def supplier_dashboard(request: HttpRequest) -> HttpResponse:
    """Home for supplier contacts: the orders waiting for their answer first (the first 50),
    then the first 20 of the others; the full list is a link away."""
    orders = order_selectors.overdue_first(my_orders(request.user))
    awaiting = orders.filter(status__in=AWAITING_ANSWER)
    others = orders.exclude(status__in=AWAITING_ANSWER)
    return render_portal(
        request,
        "portal/dashboard_supplier.html",
        {
            # Its own orders' problems, then those of the orders it placed with its suppliers.
            "attention": attention.for_supplier(request.user) + attention.for_customer(request.user),
            "awaiting": order_rows(awaiting[:PAGE_SIZE]),
            "more_awaiting": awaiting[PAGE_SIZE:].exists(),
            "in_progress": order_rows(others[:DASHBOARD_OTHERS]),
            "more_orders": others[DASHBOARD_OTHERS:].exists(),
            "manages_contacts": any(m.manages_contacts for m in permissions.active_memberships(request.user)),
        },
        legend=True,
    )


# --- the order's page ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, order: RatedOrder, **forms_given: Any) -> dict[str, Any]:
    current = order.versions.filter(number=order.current_version).prefetch_related("items").first()
    conflicts = order_selectors.order_conflicts([order])
    ready = set(
        Document.objects.filter(version__order__parent=order).values_list("version__order_id", "version__number")
    )
    allowed = {name for name, statuses in ACTIONS.items() if order.status in statuses}
    return {
        "order": order,
        "current": current,
        "items": list(current.items.all()) if current else [],
        "documents": order_selectors.order_documents(order),
        "versions": list(order.versions.order_by("-number")),
        "clock": order_clock(order, overdue=getattr(order, "is_overdue", None)),
        "conflict": order.pk in conflicts,
        "allowed": allowed,
        "responses": order.responses.select_related("version").order_by("responded_at", "pk"),
        "children": [
            (child, (child.pk, child.current_version) in ready)
            for child in order.children.select_related("supplier").order_by("order_number")
        ],
        "open_reports": order_selectors.unconfirmed_delay_reports(order),
        "cases": assistance_selectors.cases_for_order(order),
        "timeline": assistance_selectors.order_timeline(order),
        "change_agreements": order_selectors.open_change_agreements(order),
        "sign_form": cf.SignOnlyForm(),
        "supplier_view": True,
        "accept_form": forms_given.get("accept_form") or sf.AcceptForm(),
        "fulfil_form": forms_given.get("fulfil_form") or sf.FulfilForm(),
    }


@supplier_only
def order_detail(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    return render_portal(request, "portal/order_detail.html", _detail_context(request, order), legend=True)


def _refused(request: HttpRequest, order: RatedOrder, form_name: str, form: forms.Form) -> HttpResponse:
    context = _detail_context(request, order, **{form_name: form})
    return render_portal(request, "portal/order_detail.html", context, legend=True, status=400)


def _confirmed_action(
    request: HttpRequest,
    order_number: str,
    *,
    form_class: type[forms.Form],
    form_name: str,
    service: Callable[..., RatedOrder],
    done: str,
) -> HttpResponse:
    """A tick-box answer on the order's page: check the box, call one service, report."""
    order = get_my_order(request.user, order_number)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(order=order, actor=actor(request), expected_version=posted_version(request))
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, done.format(number=order.order_number))
            return redirect("portal:order-detail", order_number=order.order_number)
    return _refused(request, order, form_name, form)


@supplier_only
@require_POST
def order_accept(request: HttpRequest, order_number: str) -> HttpResponse:
    return _confirmed_action(
        request,
        order_number,
        form_class=sf.AcceptForm,
        form_name="accept_form",
        service=supplier_responses.rated_order_accept,
        done="You accepted order {number}.",
    )


@supplier_only
@require_POST
def order_fulfil(request: HttpRequest, order_number: str) -> HttpResponse:
    return _confirmed_action(
        request,
        order_number,
        form_class=sf.FulfilForm,
        form_name="fulfil_form",
        service=supplier_responses.rated_order_mark_fulfilled,
        done="Order {number} is marked fulfilled.",
    )


def _action_page(
    request: HttpRequest, order: RatedOrder, action: str, form: forms.Form, status: int = 200, **extra: Any
) -> HttpResponse:
    template = "portal/order_flowdown.html" if action == "flowdown" else "portal/order_action.html"
    context = {"order": order, "form": form, "action": action, "title": ACTION_TITLES[action], **extra}
    return render_portal(request, template, context, legend=True, status=status)


def _not_now(request: HttpRequest, order: RatedOrder, action: str) -> HttpResponse | None:
    """Opening an action page the order's status does not allow: back to the order, saying why."""
    if request.method == "GET" and order.status not in ACTIONS[action]:
        messages.warning(
            request,
            f"Order {order.order_number} is {order.get_status_display().lower()}: "
            f"“{ACTION_TITLES[action].lower()}” is not possible now.",
        )
        return redirect("portal:order-detail", order_number=order.order_number)
    return None


@supplier_only
@require_http_methods(["GET", "POST"])
def order_reject(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    away = _not_now(request, order, "reject")
    if away:
        return away
    form = sf.RejectForm(request.POST or None, level=order.level)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supplier_responses.rated_order_reject(
                order=order,
                actor=actor(request),
                reason_code=data["reason_code"],
                explanation=data["explanation"],
                earliest_date=data["earliest_date"],
                offers_to_accept=data["offers_to_accept"],
                conflicting_level=data["conflicting_level"],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            field_error(form, error, {"reason": "reason_code"})
        else:
            messages.success(request, f"You rejected order {order.order_number}; the customer and HHS are told.")
            return redirect("portal:order-detail", order_number=order.order_number)
    return _action_page(request, order, "reject", form, status=400 if request.method == "POST" else 200)


@supplier_only
@require_http_methods(["GET", "POST"])
def order_delay(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    away = _not_now(request, order, "delay")
    if away:
        return away
    form = sf.DelayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_responses.rated_order_notify_delay(
                order=order,
                actor=actor(request),
                reasons=form.cleaned_data["reasons"],
                new_date=form.cleaned_data["new_date"],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            field_error(form, error, {"reason": "reasons"})
        else:
            messages.success(request, f"Your delay notice for order {order.order_number} was recorded and sent.")
            return redirect("portal:order-detail", order_number=order.order_number)
    return _action_page(request, order, "delay", form, status=400 if request.method == "POST" else 200)


@supplier_only
@require_http_methods(["GET", "POST"])
def order_confirm_delay(request: HttpRequest, order_number: str, report_id: int) -> HttpResponse:
    """The supplier's written confirmation of a delay it reported outside the portal (15 CFR 700.13(d))."""
    order = get_my_order(request.user, order_number)
    away = _not_now(request, order, "confirm_delay")
    if away:
        return away
    report = order_selectors.delay_report(order, report_id)
    initial = {"reasons": report.explanation, "new_date": report.new_date}
    form = sf.ConfirmDelayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_responses.rated_order_confirm_delay(
                order=order,
                actor=actor(request),
                report=report,
                reasons=form.cleaned_data["reasons"],
                new_date=form.cleaned_data["new_date"],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            field_error(form, error, {"reason": "reasons"})
        else:
            messages.success(request, f"Your written confirmation of the delay on {order.order_number} was sent.")
            return redirect("portal:order-detail", order_number=order.order_number)
    status = 400 if request.method == "POST" else 200
    return _action_page(request, order, "confirm_delay", form, status=status, report=report)


def _flowdown_formset(request: HttpRequest) -> Any:
    if request.method != "POST":
        return sf.FlowdownItemFormSet(prefix="items")
    if "add_item" not in request.POST:
        return sf.FlowdownItemFormSet(request.POST, prefix="items")
    data, _ = with_one_more_row(request)  # no errors shown yet
    formset: Any = sf.FlowdownItemFormSet(data, prefix="items")
    formset.is_valid()
    for item_form in formset.forms:
        item_form._errors = ErrorDict()
    formset._non_form_errors = ErrorList()
    return formset


@supplier_only
@require_http_methods(["GET", "POST"])
def order_flowdown(request: HttpRequest, order_number: str) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    away = _not_now(request, order, "flowdown")
    if away:
        return away
    own = supplier_organizations(request.user)
    form = sf.FlowdownForm(request.POST or None, own=own)
    formset = _flowdown_formset(request)
    adding = request.method == "POST" and "add_item" in request.POST
    if adding:
        form._errors = ErrorDict()  # type: ignore[attr-defined]  # nothing submitted yet
    elif request.method == "POST" and form.is_valid() & formset.is_valid():
        filled = [f for f in formset.forms if f.cleaned_data]
        items = [
            flowdown.FlowdownItemInput(
                description=f.cleaned_data["description"],
                quantity=f.cleaned_data["quantity"],
                unit=f.cleaned_data["unit"],
                required_dates=f.dates(),
                part_number=f.cleaned_data["part_number"],
                scope_basis=f.cleaned_data["scope_basis"],
            )
            for f in filled
        ]
        try:
            child = flowdown.flowdown_order_create(
                parent=order,
                actor=actor(request),
                sub_supplier=form.cleaned_data["sub_supplier"],
                po_number=form.cleaned_data["po_number"],
                items=items,
                password=form.cleaned_data["password"],
            )
        except PermissionRefused as error:
            # The order is the user's own (looked up above): the refusal is the signature's password.
            form.add_error("password", error.message)
        except ApplicationError as error:
            if not item_error(filled, error):
                field_error(form, error, {"supplier": "sub_supplier"})
        else:
            messages.success(
                request,
                f"Order {child.order_number} extends the rating to {child.supplier.legal_name}; they are told.",
            )
            return redirect("portal:order-detail", order_number=order.order_number)
    status = 400 if request.method == "POST" and not adding else 200
    return _action_page(request, order, "flowdown", form, status=status, formset=formset)
