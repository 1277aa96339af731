"""Quick-start data for the supplier side, made through the services: an accepted
order, a rejected one (cannot meet the date, with the earliest date and an offer) and a small
flow-down tree (Filtra -> Membrana -> Resina). Called by services.demo inside its seed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ratings.constants import OrderStatus, RatingLevel, RejectionReason
from ratings.models import Organization, RatedOrder, User
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as sr


def demo_supplier_responses(orgs: dict[str, Organization], users: dict[str, User], password: str) -> None:
    today = timezone.localdate()
    accepted = RatedOrder.objects.filter(
        supplier=orgs["filtra"], status=OrderStatus.ISSUED, parent__isnull=True, level=RatingLevel.DO
    ).first()
    rejected = RatedOrder.objects.filter(
        supplier=orgs["pumpco"], status=OrderStatus.ISSUED, level=RatingLevel.DX
    ).first()
    if accepted is None or rejected is None:
        return
    sr.rated_order_reject(
        order=rejected,
        actor=users["supplier2"],
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        explanation="Our aseptic pump line is committed to earlier DX orders until spring; we can ship 6 weeks later.",
        earliest_date=today + dt.timedelta(days=130),
        offers_to_accept=True,
    )
    top = sr.rated_order_accept(order=accepted, actor=users["supplier"])
    membrana = flowdown.flowdown_order_create(
        parent=top,
        actor=users["supplier"],
        sub_supplier=orgs["membrana"],
        po_number="FIL-PO-7781",
        items=[
            flowdown.FlowdownItemInput(
                description="Hollow-fibre membrane module, 0.2 µm",
                quantity="4",
                unit="each",
                required_dates=[today + dt.timedelta(days=35)],
                part_number="HFM-020",
            )
        ],
        password=password,
    )
    membrana = sr.rated_order_accept(order=membrana, actor=users["membrana"])
    flowdown.flowdown_order_create(
        parent=membrana,
        actor=users["membrana"],
        sub_supplier=orgs["resina"],
        po_number="MEM-PO-0192",
        items=[
            flowdown.FlowdownItemInput(
                description="Polysulfone resin, medical grade (25 kg bag)",
                quantity="2",
                unit="bag",
                required_dates=[today + dt.timedelta(days=20)],
                part_number="PSU-MG-25",
                # Bags of resin cannot be capped against membrane modules: the quantity's basis instead.
                scope_basis="Two 25 kg bags of resin are cast into the 4 membrane modules ordered.",
            )
        ],
        password=password,
    )
