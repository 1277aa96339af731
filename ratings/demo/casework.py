"""Quick-start data for what follows a supplier's answer, made through the services: Nitrile
Glove Works has no portal contact, so its requests name one and its order reaches that address
with an invitation; an open special priorities assistance case on PumpCo's rejected DX order
(whose offered date is still waiting for the customer); a second rejection taken to a directive
the supplier acknowledged; and a reconsideration of the denied request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from ratings.constants import OrderStatus, RatingLevel, RejectionReason
from ratings.demo.accounts import DEMO_PASSWORD, demo_code
from ratings.demo.placing import approve_and_place
from ratings.models import Organization, RatedOrder, RatingRequest, User
from ratings.services.assistance import cases, directives
from ratings.services.requests import reconsideration
from ratings.services.suppliers import reach
from ratings.services.suppliers import responses as sr

GLOVE_CONTACT = "orders@gloveworks.example"


def name_unreached_suppliers(rating_request: RatingRequest, actor: User) -> RatingRequest:
    """The demo's requests to a supplier without a portal contact name where its order goes."""
    for supplier in reach.unreachable_suppliers_of(rating_request):
        rating_request = reach.rating_request_name_supplier_contact(
            rating_request=rating_request,
            actor=actor,
            supplier=supplier,
            email=GLOVE_CONTACT if supplier.short_name == "GloveWorks" else f"orders@{supplier.pk}.example",
            first_name="Gail",
            last_name="Glover",
        )
    return rating_request


def demo_casework(
    orgs: dict[str, Organization],
    users: dict[str, User],
    new: Callable[..., RatingRequest],
    recommended: Callable[..., RatingRequest],
) -> int:
    """Returns the number of requests it created."""
    today = timezone.localdate()
    applicant, approver = users["applicant"], users["approver"]

    # Reached only by e-mail invitation: the order to Nitrile Glove Works goes to the named address.
    workflow_approve(
        recommended(new(RatingLevel.DO, "mRNA vaccine", "glove", "Nitrile gloves, fill room", 40)),
        approver,
        users["signer"],
    )

    # PumpCo's rejected DX order (the offered date still open): the customer asks HHS for help.
    rejected = RatedOrder.objects.filter(supplier=orgs["pumpco"], status=OrderStatus.REJECTED).first()
    if rejected is not None:
        cases.assistance_case_open(
            order=rejected,
            actor=applicant,
            problem="rejected",
            urgency="critical",
            tried="Asked PumpCo twice to move our DX order ahead of its commercial backlog; it offered 19 weeks.",
            impact="The pandemic influenza fill campaign cannot start without the pump set.",
            needed_dates=[today + dt.timedelta(days=60)],
        )

    # A rejection taken to a directive the supplier acknowledged (the order is accepted under it).
    rr = workflow_approve(
        recommended(new(RatingLevel.DO, "mRNA vaccine", "membrana", "Hollow-fibre membrane modules", 45)),
        approver,
        users["signer"],
    )
    order = sr.rated_order_reject(
        order=rr.rated_orders.get(),
        actor=users["membrana"],
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        explanation="Our casting line is booked by a commercial customer.",
        earliest_date=today + dt.timedelta(days=150),
        offers_to_accept=True,
    )
    case = cases.assistance_case_open(
        order=order,
        actor=applicant,
        problem="rejected",
        urgency="urgent",
        tried="Offered to split the delivery; Membrana declined.",
        impact="The filter membranes for the vaccine line cannot be cast.",
        needed_dates=[today + dt.timedelta(days=45)],
    )
    case = cases.assistance_case_take(case=case, actor=users["intake"], case_officer=users["intake"])
    issued = directives.directive_issue(
        case=case,
        actor=users["secretary"],
        requirement="accept_order",
        terms=f"Accept rated order {order.order_number} and deliver on its required dates.",
        password=DEMO_PASSWORD,
        otp=demo_code(users["secretary"]),
    )
    directives.directive_acknowledge(directive=issued, actor=users["membrana"])
    cases.assistance_case_close(
        case=case, actor=users["intake"], outcome="directive", reason="Membrana accepted under the directive."
    )

    # The denied request: the applicant asks for reconsideration with new information.
    denied = RatingRequest.objects.filter(applicant_organization=orgs["acme"], state="denied").first()
    if denied is not None:
        reconsideration.rating_request_reconsideration_ask(
            rating_request=denied,
            actor=applicant,
            grounds="The gloves are for the aseptic fill room, not the canteen: corrected quote attached.",
        )
    return 2


def workflow_approve(rating_request: RatingRequest, approver: User, signer: User) -> RatingRequest:
    return approve_and_place(rating_request, approver, signer, "Meets every criterion.")
