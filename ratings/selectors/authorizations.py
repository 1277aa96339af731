"""Reads of rating authorizations, scoped to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ratings import permissions
from ratings.constants import OrderStatus, Role
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import Organization, RatedOrder, RatingAuthorization


def authorizations_for(user: Any) -> QuerySet[RatingAuthorization]:
    """HHS staff who read business data and auditors see every authorization; the authorized
    party's applicants and authorized signers see their organization's."""
    queryset = RatingAuthorization.objects.select_related("authorized_party", "program", "rating_request")
    if permissions.sees_business_data(user):
        return queryset
    return queryset.filter(
        authorized_party_id__in=permissions.organization_ids(user, Role.APPLICANT, Role.AUTHORIZED_SIGNER)
    )


@dataclass(frozen=True)
class SupplierSlot:
    """One authorized supplier: its items, and the order placed with it (None: not placed yet)."""

    supplier: Organization
    items: list[dict[str, Any]]
    order: RatedOrder | None


def supplier_slots(authorization: RatingAuthorization) -> list[SupplierSlot]:
    ids = authorization.supplier_ids()
    suppliers = Organization.objects.in_bulk(ids)
    placed = {
        order.supplier_id: order
        for order in authorization.orders.filter(parent__isnull=True)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("issued_at")
    }
    return [SupplierSlot(suppliers[pk], authorization.items_for(pk), placed.get(pk)) for pk in ids]


def awaiting_placement(user: Any) -> list[tuple[RatingAuthorization, int]]:
    """Active authorizations of the organizations the user signs for, with the number of
    authorized suppliers that have no order yet (only those with at least one)."""
    signer_of = permissions.organization_ids(user, Role.AUTHORIZED_SIGNER)
    rows = []
    for authorization in RatingAuthorization.objects.filter(
        authorized_party_id__in=signer_of, status=AuthorizationStatus.ACTIVE
    ).order_by("-signed_at")[:50]:
        missing = sum(1 for slot in supplier_slots(authorization) if slot.order is None)
        if missing:
            rows.append((authorization, missing))
    return rows


def signed_for(user: Any, limit: int = 20) -> list[RatingAuthorization]:
    """The newest authorizations of the organizations the user signs rated orders for: where a
    signer finds the orders already placed once nothing is left to place."""
    signer_of = permissions.organization_ids(user, Role.AUTHORIZED_SIGNER)
    return list(
        RatingAuthorization.objects.filter(authorized_party_id__in=signer_of)
        .select_related("rating_request")
        .order_by("-signed_at")[:limit]
    )
