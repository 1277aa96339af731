"""Helpers for the tests of HHS's changes to a rating authorization: an authorization with its
orders placed (one per supplier), the first accepted and extended to a sub-tier supplier."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.models import RatedOrder, RatingAuthorization, User
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import Cast, line_item
from tests.ratings.orders.conftest import issue_orders
from tests.ratings.suppliers.conftest import extend, supplier_org


@dataclass
class Placed:
    authorization: RatingAuthorization
    first: RatedOrder  # accepted by Filtra, extended to Membrana
    second: RatedOrder  # to PumpCo, awaiting its answer
    sub_tier: RatedOrder  # Filtra's order to Membrana
    membrana_contact: User


def placed(cast: Cast, capture) -> Placed:
    first, second = issue_orders(
        cast, capture, [line_item(cast.supplier_org), line_item(cast.supplier_org2, po="PO-2", description="Pump")]
    )
    first = supplier_responses.rated_order_accept(order=first, actor=cast.supplier)
    membrana, contact = supplier_org("Membrana Inc.")
    sub_tier = extend(first, cast.supplier, membrana, capture)
    authorization = RatingAuthorization.objects.get(pk=first.authorization_id)
    return Placed(authorization, first, second, sub_tier, contact)


def fresh(order: RatedOrder) -> RatedOrder:
    return RatedOrder.objects.get(pk=order.pk)
