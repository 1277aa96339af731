"""Demo data for the quick start: the accounts (demo/accounts.py), then requests in every state.

Requests go through the real services, so the demo audit trail is a real chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.utils import timezone

from audit import context
from ratings.constants import (
    REVIEW_CHECKLIST,
    HealthResourceCategory,
    RatingLevel,
)
from ratings.demo.accounts import DEMO_PASSWORD, accounts_ensure, demo_code
from ratings.demo.casework import demo_casework, name_unreached_suppliers
from ratings.demo.catalog import FDA_BY_CATEGORY
from ratings.demo.placing import approve_and_place, hhs_customer_order
from ratings.demo.program import demo_program_history
from ratings.demo.suppliers import demo_supplier_responses
from ratings.models import Organization, Program, RatingRequest, User
from ratings.services.items import DeliveryInput
from ratings.services.orders import changes as order_changes
from ratings.services.orders.amended_items import from_snapshot
from ratings.services.requests import corrections, drafts, workflow
from ratings.services.requests.decisions import DecisionInput, ItemDecisionInput


def demo_seed() -> dict[str, int]:
    """Create what is missing; running it again changes nothing.

    Accounts are set up in one transaction; each demo request then goes through the services,
    each its own transaction, exactly as the portal and admin would drive them.
    """
    with context.use(context.for_command()):
        orgs, users = accounts_ensure()
        created_requests = 0
        if not RatingRequest.objects.filter(applicant_organization__in=[orgs["acme"], orgs["beta"]]).exists():
            created_requests = _demo_requests(orgs, users)
        history = demo_program_history(orgs, users)
        hhs_orders = hhs_customer_order(orgs, users)
    return {
        "organizations": len(orgs),
        "users": len(users),
        "requests_created": created_requests,
        "history_requests_created": history,
        "hhs_customer_orders_created": hhs_orders,
    }


def _details(level: str, resource: str, category: str = HealthResourceCategory.VACCINE) -> drafts.RequestDetails:
    fda_status, fda_number = FDA_BY_CATEGORY[HealthResourceCategory(category)]
    return drafts.RequestDetails(
        government_program="Operation Warp Speed successor: pandemic vaccine production",
        category=category,
        health_resource=resource,
        requested_level=level,
        program_id=Program.objects.get(symbol="HR").pk,
        contract_number="75A50122C00047",
        contracting_agency="HHS/ASPR Biomedical Advanced Research and Development Authority (BARDA)",
        contracting_officer="Carla Contracting, carla.contracting@example.gov, 202-555-0147",
        end_use=f"{resource} for the Strategic National Stockpile and state pandemic response; filled and finished "
        "at Acme's Durham site under the government contract.",
        fda_status=fda_status,
        fda_number=fda_number,
        related_rated_orders=["DO-C9 W15QKN-22-C-0047 (DoD, demo)"] if level == RatingLevel.DX else [],
        justification_need="Single-use filtration skids are needed to scale fill-finish to 2 million doses per week.",
        justification_efforts="Ordered in March; supplier quoted 40 weeks; two alternative suppliers declined.",
        justification_impact="Each week of delay defers about 2 million doses for the national stockpile.",
    )


def _items(supplier: Organization, description: str, days: int, split: bool = False) -> list[drafts.LineItemInput]:
    """One item of 4, due on two dates (with `split`: 3 on the first, 1 on the second)."""
    due = timezone.localdate() + dt.timedelta(days=days)
    return [
        drafts.LineItemInput(
            supplier_id=supplier.pk,
            po_number=f"PO-{days:04d}-{supplier.short_name.upper()}",
            description=description,
            quantity="4",
            unit="each",
            deliveries=[
                DeliveryInput(due, "3" if split else None),
                DeliveryInput(due + dt.timedelta(days=30), "1" if split else None),
            ],
            part_number="SKD-2000",
            # Without a rating the supplier quoted about four months later than needed.
            quoted_date=due + dt.timedelta(days=120),
            order_value=f"{days * 1875}.00",
        )
    ]


def _demo_requests(orgs: dict[str, Organization], users: dict[str, User]) -> int:
    applicant, intake, reviewer, approver = (
        users["applicant"],
        users["intake"],
        users["reviewer"],
        users["approver"],
    )
    checklist = {key: True for key in REVIEW_CHECKLIST}

    def new(
        level: str,
        resource: str,
        supplier: str,
        description: str,
        days: int,
        who: User = applicant,
        org: str = "acme",
        category: str = HealthResourceCategory.VACCINE,
        emergency_hours: int | None = None,
        split: bool = False,
        more: Sequence[tuple[str, str, int, bool]] = (),  # further items: supplier, description, days, split
    ) -> RatingRequest:
        details = _details(level, resource, category)
        if emergency_hours:
            details = replace(details, is_emergency=True, emergency_response_hours=emergency_hours)
        items = _items(orgs[supplier], description, days, split)
        for other, what, when, parts in more:
            items += _items(orgs[other], what, when, parts)
        draft = drafts.rating_request_create(actor=who, organization=orgs[org], details=details, line_items=items)
        return name_unreached_suppliers(draft, who)

    def submitted(rr: RatingRequest, who: User = applicant) -> RatingRequest:
        return workflow.rating_request_submit(
            rating_request=rr, actor=who, attestation=workflow.Attestation(who.printed_name, True)
        )

    def in_review(rr: RatingRequest) -> RatingRequest:
        return workflow.rating_request_accept_for_review(rating_request=submitted(rr), actor=intake, reviewer=reviewer)

    def recommended(rr: RatingRequest, outcome: str = "approve") -> RatingRequest:
        return workflow.rating_request_recommend(
            rating_request=in_review(rr),
            actor=reviewer,
            outcome=outcome,
            rationale="Eligible resource; need documented; supports the program.",
            checklist=checklist,
        )

    new(RatingLevel.DO, "mRNA vaccine", "filtra", "Single-use tangential flow filtration skid", 60)
    submitted(new(RatingLevel.DO, "mRNA vaccine", "pumpco", "Peristaltic fill pump, 8-head", 75))
    in_review(
        new(
            RatingLevel.DO,
            "Monoclonal antibody",
            "filtra",
            "Depth filter cartridges",
            45,
            category=HealthResourceCategory.THERAPEUTIC,
        )
    )
    workflow.rating_request_request_information(
        rating_request=in_review(
            new(RatingLevel.DO, "mRNA vaccine", "glove", "Nitrile gloves, size M, case of 1000", 30)
        ),
        actor=reviewer,
        question="Please attach the supplier's written quote showing the 40-week lead time.",
    )
    recommended(new(RatingLevel.DX, "Pandemic influenza vaccine", "pumpco", "Aseptic fill line pump set", 90))
    approve_and_place(
        # An emergency order (48 hours to answer); the supplier extends it two tiers down (demo/suppliers.py).
        recommended(new(RatingLevel.DO, "mRNA vaccine", "filtra", "Filtration skid, 200 L", 50, emergency_hours=48)),
        approver,
        users["signer"],
        "Meets every criterion.",
    )
    workflow.rating_request_deny(
        rating_request=recommended(
            new(RatingLevel.DO, "Vaccine vial caps", "glove", "Gloves for the canteen", 20), "deny"
        ),
        actor=approver,
        reason="Not an eligible health resource: the gloves are for food service.",
    )
    workflow.rating_request_withdraw(
        rating_request=submitted(new(RatingLevel.DO, "mRNA vaccine", "pumpco", "Spare pump heads", 40)),
        actor=applicant,
        reason="The supplier delivered on time without a rating.",
    )
    submitted(
        new(
            RatingLevel.DO,
            "Rapid antigen test",
            "glove",
            "Nitrile gloves for test assembly",
            35,
            users["applicant2"],
            "beta",
            HealthResourceCategory.DIAGNOSTIC_TEST,
        ),
        users["applicant2"],
    )
    # Returned by intake for correction: the applicant's turn to correct and resubmit.
    corrections.rating_request_return_for_correction(
        rating_request=submitted(new(RatingLevel.DO, "mRNA vaccine", "filtra", "Prefilters for the skid", 65)),
        actor=intake,
        reason="Item 1: give the supplier's part number and split the deliveries as the quote does.",
    )
    _demo_orders(orgs, users, new, recommended)
    _demo_decisions(users, new, recommended)
    demo_supplier_responses(orgs, users, DEMO_PASSWORD)
    return 15 + demo_casework(orgs, users, new, recommended)


def _demo_decisions(users: dict[str, User], new: Any, recommended: Any) -> None:
    """Approvals that differ from the request (45 CFR 101.31 levels; 101.32(a) items and
    quantities): one in part (an item left out, a split item reduced), one DX request at DO."""
    approve_and_place(
        recommended(
            new(
                RatingLevel.DO,
                "mRNA vaccine",
                "filtra",
                "Bioreactor single-use bags, 500 L",
                70,
                more=[("filtra", "Sterile connectors", 70, True), ("pumpco", "Pump tubing sets", 72, False)],
            )
        ),
        users["approver"],
        users["signer"],
        "Approved in part.",
        DecisionInput(
            items=[
                ItemDecisionInput(
                    2,
                    splits={(timezone.localdate() + dt.timedelta(days=70)).isoformat(): "2"},
                    reason="Two connectors cover the first campaign; order the rest unrated.",
                ),
                ItemDecisionInput(3, include=False, reason="Tubing sets are in stock at two other suppliers."),
            ]
        ),
    )
    approve_and_place(
        recommended(new(RatingLevel.DX, "Pandemic influenza vaccine", "pumpco", "Vial capping machine", 85)),
        users["secretary"],
        users["signer"],
        "Approved at DO.",
        DecisionInput(
            level=RatingLevel.DO,
            level_reason="DO precedence meets the delivery dates; no DX-rated conflict is known.",
        ),
    )


def _demo_orders(orgs: dict[str, Organization], users: dict[str, User], new: Any, recommended: Any) -> None:
    """Rated orders in every life stage: DO (above, an emergency order), DX, amended (split
    deliveries, ship-to change), cancelled. Their
    documents are generated after the seed commits (eager tasks in the quick start)."""
    approve_and_place(
        recommended(new(RatingLevel.DX, "Pandemic influenza vaccine", "pumpco", "Aseptic fill pump set", 80)),
        users["secretary"],
        users["signer"],
        "National emergency need; DX warranted.",
    )
    amended = approve_and_place(
        recommended(new(RatingLevel.DO, "mRNA vaccine", "filtra", "Sterile filter capsules", 55, split=True)),
        users["approver"],
        users["signer"],
        "Meets every criterion.",
    )
    # The manufacturer (the party that placed the order) moves its deliveries to a new site: a
    # ship-to change on a split-delivery order keeps every split and is not a new rated order.
    # Its authorized signer signs the amendment, as it signed the order.
    order = amended.rated_orders.get()
    order_changes.rated_order_amend(
        order=order,
        actor=users["signer"],
        password=DEMO_PASSWORD,
        reason="Ship to the new fill-finish site.",
        items=[
            replace(from_snapshot(item), ship_to="Acme Fill-Finish, 12 Vial Street, Durham NC 27701")
            for item in order.versions.get(number=1).items_snapshot
        ],
    )
    cancelled = approve_and_place(
        recommended(new(RatingLevel.DO, "mRNA vaccine", "glove", "Nitrile gloves, cleanroom grade", 25)),
        users["approver"],
        users["signer"],
        "Meets every criterion.",
    )
    order_changes.rated_order_cancel(
        order=cancelled.rated_orders.get(),
        actor=users["approver"],
        password=DEMO_PASSWORD,
        otp=demo_code(users["approver"]),
        reason="The manufacturer found stock; the rating is no longer needed.",
    )
