"""The customer accepts the date a rejecting supplier offered (15 CFR 700.13(b)(1)-(3): a
supplier that must reject offers to accept on the earliest date it can). Accepting records the
customer's signed answer, prepares the amendment moving every earlier required date to the
offered one, and tells the supplier and HHS intake. The amendment itself is signed by the
order's signer (services.orders.changes) and is a new rated order for the supplier to accept."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import SIGNATURE_MEANING_OFFER_ACCEPTED, OrderStatus, SupplierResponseKind
from ratings.models import OfferAcceptance, RatedOrder, RatedOrderVersion, SupplierResponse, User
from ratings.services import transition
from ratings.services.items import format_quantity
from ratings.services.orders import notices as order_notices

ACCEPT_OFFER = transition.Action(
    audit=audit_actions.ORDER_ACCEPT_OFFER,
    permission=permissions.order_rule("accept_offer"),
    states=[OrderStatus.REJECTED],
    done="take an answer to the supplier's offer",
)


def prepared_items(items: list[dict[str, Any]], offered: dt.date) -> list[dict[str, Any]]:
    """The items with every required date before `offered` moved to it (later dates stay).
    Deliveries that land on the offered date become one, of their summed quantity: a date given
    twice is refused by the item validator, so the amendment could not be signed as prepared."""
    prepared = copy.deepcopy(items)
    for item in prepared:
        merged: dict[str, dict[str, Any]] = {}
        for delivery in item["required_dates"]:
            if dt.date.fromisoformat(delivery["date"]) < offered:
                delivery["date"] = offered.isoformat()
            same_day = merged.get(delivery["date"])
            if same_day is None:
                merged[delivery["date"]] = delivery
            elif same_day["quantity"] is None or delivery["quantity"] is None:
                same_day["quantity"] = None  # no split quantity to add up: the date carries the item
            else:
                total = Decimal(same_day["quantity"]) + Decimal(delivery["quantity"])
                same_day["quantity"] = format_quantity(total)
        item["required_dates"] = list(merged.values())
    return prepared


def rejection_offer_accept(*, order: RatedOrder, actor: User, expected_version: int | None = None) -> RatedOrder:
    """Accept the offer of the supplier's rejection of the current version."""

    def apply(locked: RatedOrder) -> transition.Applied:
        version = RatedOrderVersion.objects.get(order=locked, number=locked.current_version)
        rejection = (
            SupplierResponse.objects.filter(
                version=version, kind=SupplierResponseKind.REJECT, offers_to_accept_on_that_basis=True
            )
            .order_by("-responded_at")
            .first()
        )
        if rejection is None or rejection.earliest_date is None:
            raise ValidationFailed("The supplier made no offer to accept this order on another date.", field="offer")
        if OfferAcceptance.objects.filter(response=rejection).exists():
            raise ValidationFailed("You already accepted this offer; the amendment is prepared.", field="offer")
        acceptance = OfferAcceptance.objects.create(
            response=rejection,
            order=locked,
            accepted_by=actor,
            printed_name=actor.printed_name,
            accepted_at=timezone.now(),
            meaning=SIGNATURE_MEANING_OFFER_ACCEPTED,
            prepared_items=prepared_items(version.items_snapshot, rejection.earliest_date),
        )
        order_notices.notify_offer_accepted(order=locked, response=rejection)
        return transition.Applied(
            reason=f"Offered date {rejection.earliest_date.isoformat()} accepted.",
            data={
                "response_id": rejection.pk,
                "offered_date": rejection.earliest_date.isoformat(),
                "acceptance_id": acceptance.pk,
                "signature": {"printed_name": acceptance.printed_name, "meaning": acceptance.meaning},
            },
        )

    return transition.perform(
        transition.ORDER, ACCEPT_OFFER, target=order, actor=actor, apply=apply, expected_version=expected_version
    )
