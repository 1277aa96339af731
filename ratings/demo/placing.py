"""The demo's approvals: HHS signs the rating authorization, then Acme's authorized signer
places and signs one rated order per supplier under it, as authorized (45 CFR 101.32(a)(3)).
And where HHS itself is the customer: the approving official signs HHS's customer authorization
and HHS's authorized signer places HHS's order under it."""

from __future__ import annotations

import datetime as dt

from ratings.clock import agency_today
from ratings.demo.accounts import DEMO_PASSWORD, demo_code
from ratings.models import Organization, Program, RatingAuthorization, RatingRequest, User
from ratings.services.authorizations import hhs_customer
from ratings.services.orders import placing
from ratings.services.requests import workflow
from ratings.services.requests.decisions import DecisionInput


def approve_and_place(
    rating_request: RatingRequest, official: User, signer: User, reason: str, decision: DecisionInput | None = None
) -> RatingRequest:
    """`decision`: a lower level, items left out or reduced (the orders cover only what was approved)."""
    approved = workflow.rating_request_approve(
        rating_request=rating_request,
        actor=official,
        password=DEMO_PASSWORD,
        otp=demo_code(official),
        reason=reason,
        decision=decision,
    )
    authorization = RatingAuthorization.objects.get(rating_request=approved)
    for supplier_id in authorization.supplier_ids():
        po, items = placing.placement_defaults(authorization, supplier_id)
        placing.rated_order_place(
            authorization=authorization,
            actor=signer,
            supplier_id=supplier_id,
            po_number=po,
            items=items,
            password=DEMO_PASSWORD,
        )
    return RatingRequest.objects.get(pk=approved.pk)


HHS_DEMO_CONTRACT = "75A50126C00042"


def hhs_customer_order(orgs: dict[str, Organization], users: dict[str, User]) -> int:
    """One HHS customer authorization (a BARDA contract with PumpCo) and the order HHS's signer
    placed under it; nothing when there is one already."""
    if RatingAuthorization.objects.filter(rating_request__isnull=True).exists():
        return 0
    today = agency_today()
    authorization = hhs_customer.hhs_customer_authorization_issue(
        actor=users["approver"],
        program=Program.objects.get(symbol="HR"),
        level="DO",
        hhs_contract=HHS_DEMO_CONTRACT,
        items=[
            hhs_customer.CustomerItemInput(
                supplier_id=orgs["pumpco"].pk,
                description="Peristaltic fill pump head, single-use (BARDA fill-finish expansion)",
                part_number="PP-400",
                quantity="60",
                unit="each",
                ship_to="BARDA fill-finish site, 1 Readiness Way, Frederick, MD",
                window_start=today + dt.timedelta(days=30),
                window_end=today + dt.timedelta(days=120),
            )
        ],
        password=DEMO_PASSWORD,
        otp=demo_code(users["approver"]),
    )
    supplier_id = authorization.supplier_ids()[0]
    po, items = placing.placement_defaults(authorization, supplier_id)
    placing.rated_order_place(
        authorization=authorization,
        actor=users["hhssigner"],
        supplier_id=supplier_id,
        po_number=po,
        items=items,
        password=DEMO_PASSWORD,
        otp=demo_code(users["hhssigner"]),
    )
    return 1
