"""Refusal cases of the supplier-side services (closure days, supplier answers, assistance cases,
reconsideration), for tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.services.assistance import cases as assistance
from ratings.services.assistance import directives
from ratings.services.calendar import closures
from ratings.services.suppliers import offers, responses
from tests.factories import Cast
from tests.portal.orders import accepted, issue
from tests.ratings.casework import delay_report, directive, later, open_case, rejected_with_offer, taken_case


def _closure(cast: Cast) -> Any:
    return closures.closure_day_declare(actor=cast.hhsadmin, day="2030-12-24", reason="EO")


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "closure_day_declare": lambda cast: case(
            lambda: closures.closure_day_declare(actor=cast.approver, day="2030-12-24", reason="EO"),
            "closure_day.declare",
        ),
        "closure_day_withdraw": lambda cast: (
            (closure := _closure(cast))
            and case(
                lambda: closures.closure_day_withdraw(closure=closure, actor=cast.intake, reason="No"),
                "closure_day.withdraw",
                closure,
            )
        ),
        "rejection_offer_accept": lambda cast: (
            (order := rejected_with_offer(cast))
            and case(
                lambda: offers.rejection_offer_accept(order=order, actor=cast.supplier),
                "rated_order.accept_offer",
                order,
            )
        ),
        "rated_order_record_delay_report": lambda cast: (
            (order := accepted(cast))
            and case(
                lambda: responses.rated_order_record_delay_report(
                    order=order, actor=cast.supplier, reasons="Late.", new_date=later(30), channel="Phone"
                ),
                "rated_order.record_delay",
                order,
            )
        ),
        "rated_order_confirm_delay": lambda cast: (
            (report := delay_report(cast))
            and case(
                lambda: responses.rated_order_confirm_delay(
                    order=report.order, actor=cast.applicant, report=report, reasons="Late.", new_date=later(30)
                ),
                "rated_order.confirm_delay",
                report.order,
            )
        ),
        "assistance_case_open": lambda cast: (
            (order := issue(cast))
            and case(
                lambda: assistance.assistance_case_open(
                    order=order,
                    actor=cast.supplier,
                    problem="refusal",
                    urgency="urgent",
                    tried="Called.",
                    impact="Stops.",
                    needed_dates=[later(30)],
                ),
                "assistance_case.open",
                order,
            )
        ),
        "assistance_case_take": lambda cast: (
            (spa := open_case(cast))
            and case(
                lambda: assistance.assistance_case_take(case=spa, actor=cast.reviewer, case_officer=cast.reviewer),
                "assistance_case.take",
                spa,
            )
        ),
        "assistance_case_ask": lambda cast: (
            (spa := taken_case(cast))
            and case(
                lambda: assistance.assistance_case_ask(case=spa, actor=cast.reviewer, party="supplier", question="?"),
                "assistance_case.ask",
                spa,
            )
        ),
        "assistance_case_answer": lambda cast: (
            (spa := taken_case(cast))
            and case(
                lambda: assistance.assistance_case_answer(case=spa, actor=cast.applicant2, answer="Here."),
                "assistance_case.answer",
                spa,
            )
        ),
        "assistance_case_record_action": lambda cast: (
            (spa := taken_case(cast))
            and case(
                lambda: assistance.assistance_case_record_action(case=spa, actor=cast.approver, action="Called."),
                "assistance_case.record_action",
                spa,
            )
        ),
        "assistance_case_close": lambda cast: (
            (spa := taken_case(cast))
            and case(
                lambda: assistance.assistance_case_close(
                    case=spa, actor=cast.supplier, outcome="agreement", reason="Agreed."
                ),
                "assistance_case.close",
                spa,
            )
        ),
        "directive_issue": lambda cast: (
            (spa := taken_case(cast))
            and case(
                lambda: directives.directive_issue(
                    case=spa, actor=cast.approver, requirement="accept_order", terms="Accept.", password="x"
                ),
                "directive.issue",
                spa,
            )
        ),
        "directive_acknowledge": lambda cast: (
            (issued := directive(cast))
            and case(
                lambda: directives.directive_acknowledge(directive=issued, actor=cast.supplier2),
                "directive.acknowledge",
                issued.order,
            )
        ),
    }
