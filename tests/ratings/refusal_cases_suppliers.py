"""Refusal cases of the supplier-side services (closure days, supplier answers, assistance cases,
reconsideration), for tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ratings.constants import RequestState
from ratings.services.assistance import cases as assistance
from ratings.services.assistance import directives
from ratings.services.calendar import closures
from ratings.services.orders import agreements
from ratings.services.orders.amended_items import from_snapshot
from ratings.services.requests import reconsideration
from ratings.services.suppliers import offers, reach, responses
from tests.factories import Cast, draft_request, request_in_state
from tests.portal.orders import accepted, issue
from tests.ratings.casework import delay_report, directive, later, open_case, rejected_with_offer, taken_case


def _closure(cast: Cast) -> Any:
    return closures.closure_day_declare(actor=cast.hhsadmin, day="2030-12-24", reason="EO")


def _ship_to_changed(order: Any) -> list[Any]:
    return [replace(from_snapshot(item), ship_to="Dock 9") for item in order.versions.get().items_snapshot]


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "closure_day_declare": lambda cast: case(
            lambda: closures.closure_day_declare(actor=cast.approver, day="2030-12-24", reason="EO"),
            "closure_day.declare",
        ),
        "rating_request_name_supplier_contact": lambda cast: (
            (rr := draft_request(cast))
            and case(
                lambda: reach.rating_request_name_supplier_contact(
                    rating_request=rr, actor=cast.applicant2, supplier=cast.supplier_org, email="x@y.example"
                ),
                "rating_request.name_supplier_contact",
                rr,
            )
        ),
        "supplier_unreachable_escalate": lambda cast: case(
            lambda: reach.supplier_unreachable_escalate(organization=cast.supplier_org, actor=cast.applicant),
            "supplier.unreachable_escalate",
            cast.supplier_org,
        ),
        "rating_request_reconsideration_ask": lambda cast: (
            (rr := request_in_state(cast, RequestState.DENIED))
            and case(
                lambda: reconsideration.rating_request_reconsideration_ask(
                    rating_request=rr, actor=cast.applicant2, grounds="New."
                ),
                "rating_request.reconsideration_ask",
                rr,
            )
        ),
        "rating_request_reconsideration_decide": lambda cast: (
            (rr := request_in_state(cast, RequestState.DENIED))
            and reconsideration.rating_request_reconsideration_ask(
                rating_request=rr, actor=cast.applicant, grounds="N."
            )
            and case(
                lambda: reconsideration.rating_request_reconsideration_decide(
                    rating_request=rr, actor=rr.decided_by, outcome="granted", reason="OK", password="x"
                ),
                "rating_request.reconsideration_decide",
                rr,
            )
        ),
        "sub_supplier_name": lambda cast: (
            (order := accepted(cast))
            and case(
                lambda: reach.sub_supplier_name(
                    order=order,
                    actor=cast.supplier2,
                    legal_name="X Co",
                    uei="XCO000000001",
                    contact_email="x@xco.example",
                    manufacturing_country="US",
                ),
                "rated_order.name_sub_supplier",
                order,
            )
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
        "change_agreement_propose": lambda cast: (
            (order := issue(cast))
            and case(
                lambda: agreements.change_agreement_propose(
                    order=order, actor=cast.supplier, reason="Dock.", items=_ship_to_changed(order)
                ),
                "rated_order.change_propose",
                order,
            )
        ),
        "change_agreement_sign": lambda cast: (
            (order := issue(cast))
            and (
                proposal := agreements.change_agreement_propose(
                    order=order, actor=cast.signer, reason="Dock.", items=_ship_to_changed(order)
                )
            )
            and case(
                lambda: agreements.change_agreement_sign(agreement=proposal, actor=cast.applicant, password="x"),
                "rated_order.change_agree",
                order,
            )
        ),
    }
