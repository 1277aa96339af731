"""Portal pages for manufacturers: home, their organization's requests, a request's page,
answering HHS's questions and withdrawing. Supplier pages come with rated orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dpa_portal.errors import ApplicationError, ValidationFailed
from dpa_portal.pagination import keyset_page
from ratings import audit_actions, permissions
from ratings.clock import reconsideration_due
from ratings.constants import EDITABLE_STATES, HHS_ROLES, WITHDRAWABLE_STATES, OrderStatus, RequestState, Role
from ratings.models import Document, RatedOrderVersion, RatingRequest, SupplierResponse
from ratings.portal.access import (
    actor,
    applicant_only,
    applicant_organizations,
    get_my_request,
    my_requests,
    portal_user,
    render_portal,
    supplier_organizations,
)
from ratings.portal.answers import order_state_text
from ratings.portal.forms import requests as portal_forms
from ratings.portal.views import orders as supplier
from ratings.portal.views.wizard import field_error, posted_version
from ratings.selectors import attention
from ratings.selectors import authorizations as authorization_selectors
from ratings.selectors import requests as request_selectors
from ratings.services.requests import attachments, workflow

NEXT_ACTION = {
    RequestState.DRAFT: "You: finish and submit",
    RequestState.SUBMITTED: "HHS: intake",
    RequestState.IN_REVIEW: "HHS: review",
    RequestState.INFO_REQUESTED: "You: answer HHS’s question",
    RequestState.RETURNED: "You: correct the request and resubmit it",
    RequestState.RECOMMENDED: "HHS: decision",
    RequestState.APPROVED: "HHS: signing the rating orders",
    # A list row does not look into the orders; the request's page says exactly who is next.
    RequestState.ISSUED: "Authorized: your signers place the rated orders",
    RequestState.DENIED: "None",
    RequestState.WITHDRAWN: "None",
}

# What the applicant sees of the trail. HHS's internal deliberation (recommendation, return for
# rework), refusals and downloads are not shown; decisions and questions are, with reasons.
APPLICANT_TIMELINE = (
    audit_actions.REQUEST_CREATE,
    audit_actions.REQUEST_COPY,
    audit_actions.REQUEST_UPDATE,
    audit_actions.REQUEST_SET_LINE_ITEMS,
    audit_actions.ATTACHMENT_ADD,
    audit_actions.ATTACHMENT_REMOVE,
    audit_actions.REQUEST_SUBMIT,
    audit_actions.REQUEST_ACCEPT_FOR_REVIEW,
    audit_actions.REQUEST_REQUEST_INFORMATION,
    audit_actions.REQUEST_RESPOND,
    audit_actions.REQUEST_APPROVE,
    audit_actions.REQUEST_DENY,
    audit_actions.REQUEST_WITHDRAW,
    audit_actions.REQUEST_RETURN_FOR_CORRECTION,
    audit_actions.REQUEST_RESUBMIT,
    # Its rated orders' answers and what followed them (special priorities assistance).
    audit_actions.ORDER_ACCEPT,
    audit_actions.ORDER_REJECT,
    audit_actions.ORDER_AMEND,
    audit_actions.ORDER_CANCEL,
    audit_actions.ORDER_ACCEPT_OFFER,
    audit_actions.ORDER_RECORD_DELAY,
    audit_actions.ASSISTANCE_OPEN,
    audit_actions.ASSISTANCE_TAKE,
    audit_actions.ASSISTANCE_CLOSE,
    audit_actions.DIRECTIVE_ISSUE,
    audit_actions.DIRECTIVE_ACKNOWLEDGE,
)
TIMELINE_LABELS = {action.name: action.label for action in APPLICANT_TIMELINE}
REASON_SHOWN = {
    action.name
    for action in (
        audit_actions.REQUEST_REQUEST_INFORMATION,
        audit_actions.REQUEST_RETURN_FOR_CORRECTION,
        audit_actions.REQUEST_APPROVE,
        audit_actions.REQUEST_DENY,
        audit_actions.REQUEST_WITHDRAW,
        audit_actions.ORDER_AMEND,
        audit_actions.ORDER_CANCEL,
    )
}


@dataclass(frozen=True)
class TimelineEntry:
    when: Any
    what: str
    who: str
    why: str


def _who(event: Any) -> str:
    """HHS staff appear by role ("HHS reviewer"), not by name; the applicant's own people by name."""
    roles = [str(r).split("@", 1)[0] for r in (event.actor_roles or [])]
    hhs = [r for r in roles if r in HHS_ROLES]
    if hhs:
        return Role(hhs[0]).label if Role(hhs[0]).label.startswith("HHS") else "HHS"
    if event.actor_id is None:
        return "System"
    return event.actor_label.split(" (", 1)[0]


def timeline(rr: RatingRequest) -> list[TimelineEntry]:
    events = request_selectors.request_timeline(rr).filter(outcome="success", action__in=list(TIMELINE_LABELS))
    return [
        TimelineEntry(
            when=e.occurred_at,
            what=TIMELINE_LABELS[e.action] + (f" ({e.reference})" if e.reference != rr.reference else ""),
            who=_who(e),
            why=e.reason if e.action in REASON_SHOWN else "",
        )
        for e in events
    ]


def next_action(rr: RatingRequest, reconsideration: dict[str, Any] | None = None) -> str:
    """Who acts next on the request, as a list row says it. A denial is final for the applicant
    unless they ask for reconsideration in its window (`_reconsideration(rr)`, when the caller
    has it; a list prefetches the reconsiderations: one query a page)."""
    if rr.state == RequestState.DENIED:
        reconsideration = reconsideration or _reconsideration(rr)
        if any(not r.outcome for r in reconsideration["reconsiderations"]):
            return "HHS: reconsideration"
        if reconsideration["can_reconsider"]:
            by = timezone.localtime(reconsideration["reconsider_by"]).date()
            return f"You may ask HHS to reconsider, by {by.isoformat()}"
    return NEXT_ACTION[rr.state]


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return _rows_of(list(queryset))


def _rows_of(requests: list[RatingRequest]) -> list[dict[str, Any]]:
    prefetch_related_objects(requests, "line_items__supplier", "reconsiderations")
    today = timezone.localdate()
    rows = []
    for rr in requests:
        suppliers = sorted({item.supplier.legal_name for item in rr.line_items.all()})
        rows.append(
            {
                "rr": rr,
                "suppliers": suppliers,
                "age_days": (today - timezone.localdate(rr.created_at)).days,
                "next_action": next_action(rr),
            }
        )
    return rows


@portal_user
def dashboard(request: HttpRequest) -> HttpResponse:
    """What needs the user's action first: answers HHS waits for, then drafts to finish."""
    awaiting_placement = authorization_selectors.awaiting_placement(request.user)
    if not applicant_organizations(request.user):
        if supplier_organizations(request.user):
            return supplier.supplier_dashboard(request)
        return render_portal(
            request,
            "portal/dashboard_other.html",
            {
                "awaiting_placement": awaiting_placement,
                "attention": attention.for_customer(request.user),
                "authorizations": authorization_selectors.signed_for(request.user),
                "linked": bool(permissions.organization_ids(request.user)),
            },
        )
    mine = my_requests(request.user)
    return render_portal(
        request,
        "portal/dashboard.html",
        {
            "attention": attention.for_customer(request.user),
            "questions": _rows(mine.filter(state=RequestState.INFO_REQUESTED).order_by("updated_at")),
            "returned": _rows(mine.filter(state=RequestState.RETURNED).order_by("updated_at")),
            "drafts": _rows(mine.filter(state=RequestState.DRAFT).order_by("-updated_at")),
            "recent": _rows(mine.exclude(state__in=[*EDITABLE_STATES, RequestState.INFO_REQUESTED])[:10]),
            "awaiting_placement": awaiting_placement,
        },
        legend=True,
    )


@applicant_only
def request_list(request: HttpRequest) -> HttpResponse:
    form = portal_forms.RequestFilterForm(request.GET or None)
    queryset = my_requests(request.user).order_by("-created_at")
    if form.is_valid():
        if form.cleaned_data["status"]:
            queryset = queryset.filter(state=form.cleaned_data["status"])
        term = form.cleaned_data["q"].strip()
        if term:
            queryset = queryset.filter(
                Q(reference__icontains=term)
                | Q(line_items__description__icontains=term)
                | Q(line_items__part_number__icontains=term)
                | Q(line_items__po_number__icontains=term)
                | Q(health_resource__icontains=term)
            ).distinct()
    page = keyset_page(queryset, request.GET.get("after"), field="created_at")
    return render_portal(
        request, "portal/request_list.html", {"form": form, "rows": _rows_of(page.rows), "page": page}, legend=True
    )


@dataclass(frozen=True)
class OrderRow:
    order: Any
    version: RatedOrderVersion  # the current version: its own issue time, what it changed
    document_ready: bool
    state_text: str  # the answer in force for the current version, or the cancellation and its reason


def issued_orders(rr: RatingRequest) -> list[OrderRow]:
    """The rated orders issued for this request (not the suppliers' own flow-down orders), with
    their current version, whether its document exists yet (it is generated after commit) and
    what holds for it; downloads go through the audited order document view."""
    orders = list(rr.rated_orders.filter(parent__isnull=True).select_related("supplier").order_by("order_number"))
    ready = set(
        Document.objects.filter(version__order__source_request=rr).values_list("version__order_id", "version__number")
    )
    current = {
        (v.order_id, v.number): v
        for v in RatedOrderVersion.objects.filter(order__in=orders).only(
            "order_id", "number", "issued_at", "kind", "amendment_reason", "significance", "changes"
        )
    }
    answers: dict[int, list[SupplierResponse]] = {}
    for answer in (
        SupplierResponse.objects.filter(order__in=orders).select_related("version").order_by("responded_at", "pk")
    ):
        answers.setdefault(answer.order_id, []).append(answer)
    return [
        OrderRow(
            order,
            current[(order.pk, order.current_version)],
            (order.pk, order.current_version) in ready,
            order_state_text(order, answers.get(order.pk, [])),
        )
        for order in orders
    ]


def _detail_context(rr: RatingRequest, **extra: Any) -> dict[str, Any]:
    reconsideration = _reconsideration(rr)
    return {
        "rr": rr,
        "line_items": rr.line_items.select_related("supplier").prefetch_related("deliveries"),
        "attachments": rr.attachments.select_related("information_request"),
        "questions": rr.information_requests.all(),
        "timeline": timeline(rr),
        "can_respond": rr.state == RequestState.INFO_REQUESTED,
        "can_withdraw": rr.state in WITHDRAWABLE_STATES,
        "can_edit": rr.state in EDITABLE_STATES,
        "returned": rr.submissions.order_by("-number").first() if rr.state == RequestState.RETURNED else None,
        "next_action": next_action_on_page(rr, reconsideration),
        "respond_form": extra.pop("respond_form", None) or portal_forms.RespondForm(),
        "accepted": portal_forms.accepted_files_text(),
        "orders": issued_orders(rr),
        "decision": request_selectors.approval_decision(rr),
        **reconsideration,
        **extra,
    }


def next_action_on_page(rr: RatingRequest, reconsideration: dict[str, Any]) -> str:
    """Who acts next, as the request's own page says it: once HHS has authorized the orders, the
    organization's authorized signers until every authorized supplier has its rated order, then
    the suppliers until each answered; otherwise as a list row says it."""
    authorization = rr.authorization if rr.state == RequestState.ISSUED and hasattr(rr, "authorization") else None
    if authorization is None:
        return next_action(rr, reconsideration)
    orders = [slot.order for slot in authorization_selectors.supplier_slots(authorization)]
    if None in orders:
        return "Your authorized signers: place the rated orders HHS authorized"
    statuses = {order.status for order in orders if order is not None}
    if statuses & {OrderStatus.ISSUED, OrderStatus.AMENDED}:
        return "Your suppliers: accept or reject the rated orders"
    if OrderStatus.REJECTED in statuses:
        return "You: a supplier rejected its rated order; read its reasons below and amend or ask HHS for assistance"
    return "None: every supplier has answered its rated order"


def _reconsideration(rr: RatingRequest) -> dict[str, Any]:
    """Reconsiderations asked, and until when the applicant may ask for one."""
    asked = list(rr.reconsiderations.all())
    due = reconsideration_due(decided_at=rr.decided_at) if rr.state == RequestState.DENIED and rr.decided_at else None
    pending = any(not r.outcome for r in asked)
    return {
        "reconsiderations": asked,
        "reconsider_by": due,
        "can_reconsider": due is not None and timezone.now() <= due and not pending,
    }


@applicant_only
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rr = get_my_request(request.user, pk)
    return render_portal(request, "portal/request_detail.html", _detail_context(rr), legend=True)


@applicant_only
@require_POST
def request_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer HHS's open question, with an optional file attached to that question."""
    rr = get_my_request(request.user, pk)
    form = portal_forms.RespondForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            question = rr.information_requests.filter(responded_at__isnull=True).order_by("-asked_at").first()
            if question is None:
                raise ValidationFailed("There is no open question to answer.")
            upload = form.cleaned_data.get("file")
            if upload:
                attachments.attachment_add(
                    rating_request=rr,
                    actor=actor(request),
                    stream=upload,
                    original_name=upload.name or "attachment",
                    information_request=question,
                )
            workflow.rating_request_respond(
                rating_request=rr, actor=actor(request), response=form.cleaned_data["response"]
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, "Your answer was sent to HHS; the review continues.")
            return redirect("portal:request-detail", pk=rr.pk)
    return render_portal(
        request, "portal/request_detail.html", _detail_context(rr, respond_form=form), legend=True, status=400
    )


@applicant_only
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    rr = get_my_request(request.user, pk)
    form = portal_forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rr = workflow.rating_request_withdraw(
                rating_request=rr,
                actor=actor(request),
                reason=form.cleaned_data["reason"],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, f"Request {rr.reference} was withdrawn.")
            return redirect("portal:request-detail", pk=rr.pk)
    status = 400 if request.method == "POST" else 200
    return render_portal(request, "portal/request_withdraw.html", {"rr": rr, "form": form}, legend=True, status=status)
