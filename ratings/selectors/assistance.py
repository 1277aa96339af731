"""Reads of special priorities assistance: which problems an order can be brought to HHS for,
the cases and timeline of an order, and HHS's case list."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ratings import permissions
from ratings.constants import OrderStatus, Role
from ratings.constants_assistance import AssistanceProblem, AssistanceStatus
from ratings.models import AssistanceCase, AssistanceEntry, Directive, RatedOrder, RatedOrderVersion
from ratings.models.orders import AWAITING_RESPONSE_STATUSES

CLOSED_ORDER_STATUSES = {OrderStatus.CANCELLED, OrderStatus.FULFILLED}


def problems_for(order: RatedOrder) -> list[str]:
    """The problems the order's state shows (15 CFR 700.50: rejected, unanswered, late, conflicting, refused)."""
    if order.status in CLOSED_ORDER_STATUSES:
        return []
    found: list[str] = []
    if order.status == OrderStatus.REJECTED:
        found.append(AssistanceProblem.REJECTED)
    if order.status in AWAITING_RESPONSE_STATUSES:
        due = (
            RatedOrderVersion.objects.filter(order=order, number=order.current_version)
            .values_list("response_due_at", flat=True)
            .first()
        )
        if due is not None and due < timezone.now():
            found.append(AssistanceProblem.UNANSWERED)
    if order.status == OrderStatus.ACCEPTED:
        found += [AssistanceProblem.LATE_DELIVERY, AssistanceProblem.CONFLICT]
    found.append(AssistanceProblem.REFUSAL)
    return found


def open_case(order: RatedOrder) -> AssistanceCase | None:
    return order.assistance_cases.exclude(status=AssistanceStatus.CLOSED).first()


def may_open_case(order: RatedOrder) -> bool:
    return open_case(order) is None and bool(problems_for(order))


def cases_for_order(order: RatedOrder) -> list[AssistanceCase]:
    return list(order.assistance_cases.select_related("case_officer").prefetch_related("directives"))


def order_timeline(order: RatedOrder) -> list[AssistanceEntry]:
    """Every step of every assistance case about the order, oldest first."""
    return list(AssistanceEntry.objects.filter(case__order=order).select_related("case").order_by("at", "pk"))


def directives_for_supplier(order: RatedOrder) -> list[Directive]:
    return list(order.directives.order_by("signed_at"))


def hhs_cases() -> QuerySet[AssistanceCase]:
    return AssistanceCase.objects.select_related("order", "organization", "order__supplier", "case_officer")


def overdue(case: AssistanceCase, now: Any = None) -> bool:
    return case.status != AssistanceStatus.CLOSED and (now or timezone.now()) > case.target_due_at


def assistance_cases_for(user: Any) -> QuerySet[AssistanceCase]:
    """HHS workflow staff and auditors: every case; the parties (the placing party of the order,
    the contacts of its supplier): the cases about their orders."""
    queryset = hhs_cases()
    if permissions.sees_business_data(user):
        return queryset
    applicant_of = permissions.organization_ids(user, Role.APPLICANT)
    contact_of = permissions.organization_ids(user, Role.SUPPLIER_CONTACT)
    placing = Q(order__parent__isnull=True, organization_id__in=applicant_of) | Q(
        order__parent__isnull=False, organization_id__in=contact_of
    )
    return queryset.filter(placing | Q(order__supplier_id__in=contact_of))
