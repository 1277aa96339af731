"""What needs a manufacturer's or supplier's attention first on its home page.

For the orders a user's organization placed (a manufacturer's, or a supplier's flow-down orders):
rejections, offers of another date, delays, answers overdue and HHS's questions in assistance
cases. For the orders addressed to a supplier: answers overdue, directives to acknowledge, delays
to confirm in writing and HHS's questions. A fixed number of queries, whatever the number of orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ratings import permissions
from ratings.clock import agency_date
from ratings.constants import OrderStatus, Role, SupplierResponseKind
from ratings.constants_assistance import AssistanceEntryKind, AssistanceParty, AssistanceStatus
from ratings.models import (
    AssistanceCase,
    AssistanceEntry,
    Directive,
    Membership,
    RatedOrder,
    RatedOrderVersion,
    SupplierResponse,
)
from ratings.models.orders import AWAITING_RESPONSE_STATUSES

DELAY_KINDS = [SupplierResponseKind.DELAY, SupplierResponseKind.DELAY_REPORTED, SupplierResponseKind.DELAY_CONFIRMED]
CLOSED = [OrderStatus.CANCELLED, OrderStatus.FULFILLED]
# How urgent each kind is: the order of the list, and the colour of its tag (templates).
RANK = {"overdue": 0, "rejected": 1, "directive": 2, "offer": 3, "question": 4, "delay_confirmation": 5, "delay": 6}


@dataclass(frozen=True)
class Attention:
    kind: str  # a key of RANK
    label: str  # the tag's text
    order: RatedOrder
    side: str  # "placed" (the customer's page of the order) or "supplier" (the supplier's)
    text: str
    since: dt.datetime | None


def _latest_answer(field: str) -> Subquery:
    return Subquery(
        SupplierResponse.objects.filter(order=OuterRef("pk"), version__number=OuterRef("current_version"))
        .order_by("-responded_at", "-pk")
        .values(field)[:1]
    )


def _with_answers(orders: QuerySet[RatedOrder]) -> QuerySet[RatedOrder]:
    return (
        orders.exclude(status__in=CLOSED)
        .select_related("supplier", "placing_organization")
        .annotate(
            due_at=Subquery(
                RatedOrderVersion.objects.filter(order=OuterRef("pk"), number=OuterRef("current_version")).values(
                    "response_due_at"
                )[:1]
            ),
            answer_id=_latest_answer("pk"),
            answer_kind=_latest_answer("kind"),
            answer_at=_latest_answer("responded_at"),
        )
    )


def _may_need_attention(orders: QuerySet[RatedOrder], now: dt.datetime, *, customer: bool) -> QuerySet[RatedOrder]:
    """Only the orders a rule below can pick (an answer overdue, an open assistance case, and for
    the customer a rejection or a delay), so the page reads a few rows, not every open order."""
    open_case = Exists(AssistanceCase.objects.filter(order=OuterRef("pk")).exclude(status=AssistanceStatus.CLOSED))
    may = Q(status__in=AWAITING_RESPONSE_STATUSES, due_at__lt=now) | Q(has_open_case=True)
    if customer:
        may |= Q(status=OrderStatus.REJECTED) | Q(status=OrderStatus.ACCEPTED, answer_kind__in=DELAY_KINDS)
    return orders.annotate(has_open_case=open_case).filter(may)


def _annotated(order: RatedOrder, name: str) -> Any:
    return getattr(order, name, None)


def placed_orders(user: Any) -> QuerySet[RatedOrder]:
    """Open orders the user's organization placed: top-tier for its applicants and authorized signers
    (who place, amend and cancel them), flow-down for suppliers."""
    customer = permissions.organization_ids(user, Role.APPLICANT, Role.AUTHORIZED_SIGNER)
    return _with_answers(
        RatedOrder.objects.filter(
            Q(parent__isnull=True, placing_organization_id__in=customer)
            | Q(
                parent__isnull=False,
                placing_organization_id__in=permissions.organization_ids(user, Role.SUPPLIER_CONTACT),
            )
        )
    )


def _open_questions(orders: list[RatedOrder], party: str, organization_ids: set[int]) -> dict[int, AssistanceEntry]:
    """Order id -> HHS's latest question to `party` in an open case, if nobody of that party answered after it."""
    entries = list(
        AssistanceEntry.objects.filter(case__order__in=orders)
        .exclude(case__status=AssistanceStatus.CLOSED)
        .filter(Q(kind=AssistanceEntryKind.QUESTION, addressed_to=party) | Q(kind=AssistanceEntryKind.ANSWER))
        .select_related("case")
        .order_by("at", "pk")
    )
    answerers = set(
        Membership.objects.filter(
            user_id__in={e.author_id for e in entries if e.kind == AssistanceEntryKind.ANSWER},
            organization_id__in=organization_ids,
            is_active=True,
        ).values_list("user_id", flat=True)
    )
    open_by_order: dict[int, AssistanceEntry] = {}
    for entry in entries:
        if entry.kind == AssistanceEntryKind.QUESTION:
            open_by_order[entry.case.order_id] = entry
        elif entry.author_id in answerers:
            open_by_order.pop(entry.case.order_id, None)
    return open_by_order


def _ranked(items: list[Attention]) -> list[Attention]:
    return sorted(items, key=lambda item: (RANK[item.kind], item.order.order_number))


def for_customer(user: Any, now: dt.datetime | None = None) -> list[Attention]:
    """What needs the attention of whoever placed the orders."""
    now = now or timezone.now()
    orders = list(_may_need_attention(placed_orders(user), now, customer=True))
    answers = SupplierResponse.objects.in_bulk(
        [_annotated(o, "answer_id") for o in orders if _annotated(o, "answer_id")]
    )
    accepted_offers = set(
        SupplierResponse.objects.filter(pk__in=answers, offer_acceptance__isnull=False).values_list("pk", flat=True)
    )
    items: list[Attention] = []
    for order in orders:
        answer, due = answers.get(_annotated(order, "answer_id")), _annotated(order, "due_at")
        supplier = order.supplier.legal_name
        if order.status in AWAITING_RESPONSE_STATUSES and due and due < now:
            text = f"{supplier} has not accepted or rejected it; the answer was due {agency_date(due)}."
            items.append(Attention("overdue", "Answer overdue", order, "placed", text, due))
        elif order.status == OrderStatus.REJECTED and answer is not None:
            if answer.offers_to_accept_on_that_basis and answer.pk not in accepted_offers and answer.earliest_date:
                text = f"{supplier} rejected it but offers to accept with the date {agency_date(answer.earliest_date)}."
                items.append(Attention("offer", "Offer of another date", order, "placed", text, answer.responded_at))
            else:
                # The supplier's own words: the reason's label carries its "(mandatory)" note.
                text = f"{supplier} rejected it: {answer.explanation}".rstrip(".: ") + "."
                items.append(Attention("rejected", "Rejected", order, "placed", text, answer.responded_at))
        elif order.status == OrderStatus.ACCEPTED and answer is not None and answer.kind in DELAY_KINDS:
            when = f" to {agency_date(answer.new_date)}" if answer.new_date else ""
            text = f"{supplier} expects to deliver late{when}: {answer.explanation}"
            items.append(Attention("delay", "Delayed", order, "placed", text, answer.responded_at))
    ids = permissions.organization_ids(user, Role.APPLICANT, Role.AUTHORIZED_SIGNER, Role.SUPPLIER_CONTACT)
    for order_id, question in _open_questions(orders, AssistanceParty.CUSTOMER, ids).items():
        order = next(o for o in orders if o.pk == order_id)
        text = f"HHS asks in assistance case {question.case.reference}: {question.text}"
        items.append(Attention("question", "Question from HHS", order, "placed", text, question.at))
    return _ranked(items)


def for_supplier(user: Any, now: dt.datetime | None = None) -> list[Attention]:
    """What needs a supplier contact's attention on the orders addressed to its organization."""
    now = now or timezone.now()
    suppliers = permissions.organization_ids(user, Role.SUPPLIER_CONTACT)
    orders = list(
        _may_need_attention(_with_answers(RatedOrder.objects.filter(supplier_id__in=suppliers)), now, customer=False)
    )
    items: list[Attention] = []
    for order in orders:
        due = _annotated(order, "due_at")
        if order.status in AWAITING_RESPONSE_STATUSES and due and due < now:
            text = f"Your answer (accept or reject) was due {agency_date(due)}; answer it now."
            items.append(Attention("overdue", "Answer overdue", order, "supplier", text, due))
    for directive in Directive.objects.filter(supplier_id__in=suppliers, acknowledged_at__isnull=True).select_related(
        "order"
    ):
        text = f"HHS directive {directive.number}: {directive.get_requirement_display()}. Acknowledge it."
        items.append(Attention("directive", "Directive", directive.order, "supplier", text, directive.signed_at))
    for report in SupplierResponse.objects.filter(
        order__supplier_id__in=suppliers, kind=SupplierResponseKind.DELAY_REPORTED, confirmation__isnull=True
    ).select_related("order"):
        by = f" by {agency_date(report.confirmation_due)}" if report.confirmation_due else ""
        text = f"A delay you reported by {report.channel} was recorded; confirm it in writing{by}."
        items.append(
            Attention("delay_confirmation", "Confirm a delay", report.order, "supplier", text, report.responded_at)
        )
    for order_id, question in _open_questions(orders, AssistanceParty.SUPPLIER, suppliers).items():
        order = next(o for o in orders if o.pk == order_id)
        text = f"HHS asks in assistance case {question.case.reference}: {question.text}"
        items.append(Attention("question", "Question from HHS", order, "supplier", text, question.at))
    return _ranked(items)
