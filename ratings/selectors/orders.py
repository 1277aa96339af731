"""Reads of rated orders: scoped to the viewer, in precedence order, as flow-down trees."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from ratings import permissions
from ratings.constants import OrderStatus, Role, SupplierResponseKind
from ratings.models import (
    ChangeAgreementStatus,
    Document,
    Notification,
    OfferAcceptance,
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    SupplierResponse,
    User,
)
from ratings.models.orders import AWAITING_RESPONSE_STATUSES

NEVER_RECEIVED = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # sorts an order not yet received last


def rated_orders_for(user: Any) -> QuerySet[RatedOrder]:
    """HHS staff and auditors see every order; applicants and authorized signers their
    organization's placed orders;
    supplier contacts the orders addressed to their organization."""
    queryset = RatedOrder.objects.select_related("placing_organization", "supplier", "program", "source_request")
    if permissions.sees_business_data(user):
        return queryset
    suppliers = permissions.organization_ids(user, Role.SUPPLIER_CONTACT)
    return queryset.filter(
        Q(placing_organization_id__in=permissions.organization_ids(user, Role.APPLICANT, Role.AUTHORIZED_SIGNER))
        | Q(supplier_id__in=suppliers)
        # A supplier also sees the flow-down orders it placed with its own suppliers.
        | Q(placing_organization_id__in=suppliers, parent__isnull=False)
    )


# --- Supplier responses, precedence and conflicts ---


def supplier_orders_for(user: Any) -> QuerySet[RatedOrder]:
    """Orders addressed to the user's supplier organizations, in the order of precedence of
    15 CFR 700.14 / 45 CFR 101.34: DX before DO, then earlier required delivery date, then
    earlier receipt. Overdue-first is left to the page (annotation `is_overdue`).

    Annotations from the current version: received_at, response_due_at, required_by (earliest
    required date), is_overdue (an answer is owed and its due time has passed), receipt_key
    (receipt, or a far date when not received: the sort's third key).
    """
    return in_precedence(
        RatedOrder.objects.filter(supplier_id__in=permissions.organization_ids(user, Role.SUPPLIER_CONTACT))
    )


def in_precedence(orders: QuerySet[RatedOrder]) -> QuerySet[RatedOrder]:
    """`orders` in the order of precedence, with the annotations `supplier_orders_for` describes."""
    now = timezone.now()
    # The current version joined once (one row per order: number is unique per order), not read
    # by a subquery per order and key.
    return (
        orders.select_related("placing_organization", "supplier", "program")
        .annotate(current=FilteredRelation("versions", condition=Q(versions__number=F("current_version"))))
        .annotate(
            received_at=F("current__received_at"),
            response_due_at=F("current__response_due_at"),
            required_by=ExpressionWrapper(F("current__earliest_required_date"), output_field=DateField()),
        )
        .annotate(
            is_overdue=Case(
                When(
                    Q(status__in=AWAITING_RESPONSE_STATUSES, response_due_at__lt=now),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        # `precedence` is the level and the required date as one key (an index reads it in
        # order); the receipt, none last, and the order number break ties.
        .annotate(receipt_key=Coalesce(F("current__received_at"), Value(NEVER_RECEIVED)))
        .order_by("precedence", "receipt_key", "order_number")
    )


_PART_NUMBER_NOISE = re.compile(r"[\s\-_./]+")


def item_key(part_number: str, description: str) -> str:
    """ "Same item": the same part number ignoring case, spaces and punctuation; without a part
    number, the same description ignoring case and spacing."""
    part = _PART_NUMBER_NOISE.sub("", part_number or "").upper()
    if part:
        return f"pn:{part}"
    return "desc:" + " ".join((description or "").casefold().split())


def order_conflicts(orders: Iterable[RatedOrder]) -> set[int]:
    """Ids of *accepted* orders among `orders` whose current versions ask the same supplier for
    the same item on the same required delivery date as another accepted order of that supplier
    (15 CFR 700.14: the supplier must schedule by precedence; these are the collisions to
    resolve). The other order need not be among `orders`, so one page of a long list is marked
    as the whole list would be."""
    accepted = [o for o in orders if o.status == OrderStatus.ACCEPTED]
    if not accepted:
        return set()
    mine = {o.pk for o in accepted}
    current = RatedOrderItem.objects.filter(
        version__order__status=OrderStatus.ACCEPTED, version__number=F("version__order__current_version")
    ).values_list("version__order_id", "version__order__supplier_id", "part_number", "description", "required_dates")
    current = current.order_by()  # any order will do: no sort of the supplier's items
    own = list(current.filter(version__order_id__in=mine))
    days = sorted({entry["date"] for *_, dates in own for entry in dates})
    if not days:
        return set()
    others = current.filter(version__order__supplier_id__in={o.supplier_id for o in accepted}).exclude(
        version__order_id__in=mine
    )
    if connections[others.db].vendor == "postgresql":
        # Only the items sharing one of the page's days can collide with it: PostgreSQL picks
        # them, rather than every accepted item of the supplier coming back to be keyed here.
        others = others.alias(
            same_day=RawSQL(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(ratings_ratedorderitem.required_dates) d"
                " WHERE d->>'date' = ANY(%s))",
                (days,),
                output_field=BooleanField(),
            )
        ).filter(same_day=True)
    slots: dict[tuple[int, str, str], set[int]] = defaultdict(set)
    for order_id, supplier_id, part_number, description, dates in [*own, *others]:
        key = item_key(part_number, description)
        for entry in dates:
            slots[(supplier_id, key, entry["date"])].add(order_id)
    return {order_id for owners in slots.values() if len(owners) > 1 for order_id in owners if order_id in mine}


def overdue_first(orders: QuerySet[RatedOrder]) -> QuerySet[RatedOrder]:
    """`in_precedence(...)` with the orders whose answer is overdue moved to the top."""
    return orders.order_by(F("is_overdue").desc(), *orders.query.order_by)


def with_descendant_ids(order_ids: Iterable[int]) -> list[int]:
    """The orders and every order extended from them (flow-down, any depth), parents first.
    One query per tier; an order is listed once even if reached twice."""
    ids = list(dict.fromkeys(order_ids))
    seen = set(ids)
    frontier = ids
    while frontier:
        frontier = [
            pk
            for pk in RatedOrder.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            if pk not in seen
        ]
        seen.update(frontier)
        ids += frontier
    return ids


def order_tree(order: RatedOrder) -> QuerySet[RatedOrder]:
    """`order` and every order extended from it, for HHS; `order_tree_rows` gives them in tree
    order with their depth."""
    return (
        RatedOrder.objects.filter(pk__in=with_descendant_ids([order.pk]))
        .select_related("supplier", "placing_organization")
        .order_by("pk")
    )


def order_tree_rows(order: RatedOrder) -> list[tuple[RatedOrder, int]]:
    """The tree depth-first (parent before its children), with each order's depth (root 0)."""
    nodes = list(order_tree(order))
    children: dict[int | None, list[RatedOrder]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    rows: list[tuple[RatedOrder, int]] = []

    def walk(node: RatedOrder, depth: int) -> None:
        rows.append((node, depth))
        for child in children.get(node.pk, []):
            walk(child, depth + 1)

    walk(next(n for n in nodes if n.pk == order.pk), 0)
    return rows


# --- Delays reported outside the portal, and the customer's view of the answers ---


def unconfirmed_delay_reports(order: RatedOrder) -> list[SupplierResponse]:
    """Delays the supplier reported outside the portal and has not confirmed in writing yet."""
    return list(
        SupplierResponse.objects.filter(
            order=order, kind=SupplierResponseKind.DELAY_REPORTED, confirmation__isnull=True
        ).order_by("responded_at")
    )


def delay_report(order: RatedOrder, report_id: int) -> SupplierResponse:
    report = SupplierResponse.objects.filter(
        order=order, pk=report_id, kind=SupplierResponseKind.DELAY_REPORTED
    ).first()
    if report is None:
        raise Http404("No such delay report.")
    return report


def pending_offer(order: RatedOrder) -> SupplierResponse | None:
    """The current version's rejection offering another date, if the customer has not accepted it."""
    if order.status != OrderStatus.REJECTED:
        return None
    return (
        SupplierResponse.objects.filter(
            order=order,
            version__number=order.current_version,
            kind=SupplierResponseKind.REJECT,
            offers_to_accept_on_that_basis=True,
            offer_acceptance__isnull=True,
        )
        .order_by("-responded_at")
        .first()
    )


def open_change_agreements(order: RatedOrder) -> list[Any]:
    """Changes of the current version proposed to the supplier or signed by it, not yet applied."""
    return list(
        order.change_agreements.filter(
            version__number=order.current_version,
            status__in=[ChangeAgreementStatus.PROPOSED, ChangeAgreementStatus.AGREED],
        ).order_by("proposed_at", "pk")
    )


def prepared_amendment(order: RatedOrder) -> list[dict[str, Any]] | None:
    """The items of the amendment an accepted offer prepared, while the order awaits it."""
    if order.status != OrderStatus.REJECTED:
        return None
    acceptance = (
        OfferAcceptance.objects.filter(order=order, response__version__number=order.current_version)
        .order_by("-accepted_at")
        .first()
    )
    return acceptance.prepared_items if acceptance else None


# --- Suppliers HHS cannot reach ---


def unreachable_suppliers(now: Any = None) -> list[dict[str, Any]]:
    """Supplier organizations with an order whose notice never reached anyone: no active contact,
    an order notice that failed, or invited contacts who never signed up while an order waits."""
    waiting = (
        RatedOrderVersion.objects.filter(
            superseded=False, received_at__isnull=True, order__status__in=AWAITING_RESPONSE_STATUSES
        )
        .select_related("order__supplier")
        .order_by("order__supplier__legal_name", "order__order_number")
    )
    rows: dict[int, dict[str, Any]] = {}
    for version in waiting:
        supplier = version.order.supplier
        row = rows.setdefault(supplier.pk, {"supplier": supplier, "orders": [], "reasons": set()})
        row["orders"].append(version.order)
        row["reasons"].add("order notice not delivered")
    failed = Notification.objects.filter(kind__in=["order_issued", "order_amended"], status="failed").values_list(
        "recipient__memberships__organization_id", flat=True
    )
    # An account created by invitation has Django's unusable password ("!" prefix) until sign-up.
    unusable = {"password__startswith": UNUSABLE_PASSWORD_PREFIX}
    never_signed_up = User.objects.filter(
        memberships__role=Role.SUPPLIER_CONTACT, memberships__is_active=True, is_active=True, **unusable
    ).values_list("memberships__organization_id", flat=True)
    for org_id, reason in [
        *((o, "an order notice bounced") for o in failed),
        *((o, "an invited contact never signed up") for o in never_signed_up),
    ]:
        if org_id in rows:
            rows[org_id]["reasons"].add(reason)
    for row in rows.values():
        row["reasons"] = sorted(row["reasons"])
    return list(rows.values())


def order_documents(order: RatedOrder) -> list[Document]:
    """The order's signed documents, newest version first: what the supplier and the placing
    party download from the order's page."""
    return list(Document.objects.filter(version__order=order).select_related("version").order_by("-version__number"))
