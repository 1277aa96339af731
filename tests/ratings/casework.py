"""Helpers for the tests of supplier answers, assistance cases and directives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ratings.clock import agency_today
from ratings.constants import RejectionReason
from ratings.constants_assistance import AssistanceProblem, AssistanceUrgency
from ratings.models import AssistanceCase, Directive, RatedOrder, SupplierResponse
from ratings.services.assistance import cases, directives
from ratings.services.suppliers import responses
from tests.factories import PASSWORD, Cast, otp
from tests.portal.orders import accepted, issue


def later(days: int) -> dt.date:
    return agency_today() + dt.timedelta(days=days)


def rejected_with_offer(cast: Cast, **kwargs: Any) -> RatedOrder:
    return responses.rated_order_reject(
        order=issue(cast, **kwargs),
        actor=cast.supplier,
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        explanation="Our line is booked until spring.",
        earliest_date=later(200),
        offers_to_accept=True,
    )


def delay_report(cast: Cast) -> SupplierResponse:
    order = accepted(cast)
    responses.rated_order_record_delay_report(
        order=order, actor=cast.applicant, reasons="Resin shortage.", new_date=later(90), channel="Phone call"
    )
    return order.responses.get(kind="delay_reported")


def open_case(cast: Cast) -> AssistanceCase:
    return cases.assistance_case_open(
        order=rejected_with_offer(cast),
        actor=cast.applicant,
        problem=AssistanceProblem.REJECTED,
        urgency=AssistanceUrgency.URGENT,
        tried="Called the plant twice.",
        impact="The fill line stops in March.",
        needed_dates=[later(60)],
    )


def taken_case(cast: Cast) -> AssistanceCase:
    return cases.assistance_case_take(case=open_case(cast), actor=cast.intake, case_officer=cast.intake)


def directive(cast: Cast) -> Directive:
    return directives.directive_issue(
        case=taken_case(cast),
        actor=cast.secretary,
        requirement="accept_order",
        terms="Accept rated order as issued and deliver on the required dates.",
        password=PASSWORD,
        otp=otp(cast.secretary),
    )
