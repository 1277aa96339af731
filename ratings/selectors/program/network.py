"""The supply network the rated orders describe: organizations linked by orders, from the
manufacturer that placed an order (tier 0) to its supplier (tier 1) and, through flow-down, to
the suppliers' suppliers (tier 2, 3...). Edges carry quantities, due dates, and whether any order
on them is overdue or rejected. Also one supplier's orders across programs in precedence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from ratings.clock import agency_today
from ratings.constants import OrderStatus
from ratings.models import ItemFamilyKey, Organization, RatedOrder, RatedOrderItem, RatedOrderVersion
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.selectors.orders import in_precedence, item_key, order_conflicts
from ratings.selectors.program.filters import ProgramFilters


@dataclass
class Edge:
    source_id: int
    target_id: int
    orders: list[str] = field(default_factory=list)
    quantities: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    due: dt.date | None = None  # earliest required delivery date on the edge
    overdue: int = 0
    rejected: int = 0

    @property
    def quantity_text(self) -> str:
        return ", ".join(f"{q.normalize():,f} {unit}" for unit, q in sorted(self.quantities.items()))


@dataclass(frozen=True)
class Node:
    organization_id: int
    name: str
    tier: int  # 0: the manufacturer placing the order; 1: its supplier; 2: the supplier's supplier...


@dataclass
class Network:
    nodes: list[Node]
    edges: list[Edge]

    def name(self, organization_id: int) -> str:
        return next(n.name for n in self.nodes if n.organization_id == organization_id)


def _current(field_name: str) -> Subquery:
    return Subquery(
        RatedOrderVersion.objects.filter(order=OuterRef("pk"), number=OuterRef("current_version")).values(field_name)[
            :1
        ]
    )


def _items_of_current_version() -> QuerySet[RatedOrderItem]:
    return RatedOrderItem.objects.filter(version__order=OuterRef("pk"), version__number=OuterRef("current_version"))


def network_orders(filters: ProgramFilters, family: str = "") -> QuerySet[RatedOrder, dict[str, Any]]:
    """Orders neither cancelled nor fulfilled (the supply still to come), of the program and category chosen; with `family` (a family name of
    the mapping, or an unmapped item's part number or description), the orders for that family
    and everything flowed down from them."""
    orders = RatedOrder.objects.exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.FULFILLED])
    if filters.program_id:
        orders = orders.filter(program_id=filters.program_id)
    if filters.category:
        orders = orders.filter(source_request__category=filters.category)
    if family:
        orders = orders.filter(pk__in=_family_tree_ids(orders, family))
    return orders.annotate(
        quantity=Subquery(
            _items_of_current_version().values("version__order").annotate(total=Sum("quantity")).values("total")[:1]
        ),
        unit=Subquery(_items_of_current_version().order_by("position").values("unit")[:1]),
        required_by=_current("earliest_required_date"),
        response_due_at=_current("response_due_at"),
    ).values(
        "pk",
        "order_number",
        "parent_id",
        "status",
        "quantity",
        "unit",
        "required_by",
        "response_due_at",
        "placing_organization_id",
        "supplier_id",
    )


def _family_tree_ids(orders: QuerySet[RatedOrder], family: str) -> list[int]:
    keys = set(ItemFamilyKey.objects.filter(family__name=family).values_list("key", flat=True))
    wanted = keys or {item_key(family, ""), item_key("", family)}
    rows = RatedOrderItem.objects.filter(
        version__order__in=orders, version__number=F("version__order__current_version")
    ).values_list("version__order_id", "part_number", "description")
    ids = sorted(
        {
            order_id
            for order_id, part, description in rows
            if item_key(part, description) in wanted or item_key("", description) in wanted
        }
    )
    frontier = ids
    while frontier:  # one query per tier of flow-down
        frontier = list(RatedOrder.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def supply_network(filters: ProgramFilters, family: str = "") -> Network:
    """Nodes by tier and edges aggregated per pair of organizations. Two queries (plus one per
    flow-down tier when a family is chosen)."""
    rows = list(network_orders(filters, family))
    by_id = {row["pk"]: row for row in rows}
    now, today = timezone.now(), agency_today()

    def depth(row: dict[str, Any]) -> int:
        tier, seen = 1, set()
        while row["parent_id"] in by_id and row["pk"] not in seen:
            seen.add(row["pk"])
            row, tier = by_id[row["parent_id"]], tier + 1
        return tier

    tiers: dict[int, int] = {}
    edges: dict[tuple[int, int], Edge] = {}
    for row in rows:
        tier = depth(row)
        source, target = row["placing_organization_id"], row["supplier_id"]
        tiers[target] = min(tiers.get(target, tier), tier)
        tiers[source] = min(tiers.get(source, tier - 1), tier - 1)
        edge = edges.setdefault((source, target), Edge(source, target))
        edge.orders.append(row["order_number"])
        if row["quantity"] is not None:
            edge.quantities[row["unit"]] += row["quantity"]
        if row["required_by"] and (edge.due is None or row["required_by"] < edge.due):
            edge.due = row["required_by"]
        answer_late = (
            row["status"] in AWAITING_RESPONSE_STATUSES and row["response_due_at"] and row["response_due_at"] < now
        )
        delivery_late = row["status"] == OrderStatus.ACCEPTED and row["required_by"] and row["required_by"] < today
        edge.overdue += bool(answer_late or delivery_late)
        edge.rejected += row["status"] == OrderStatus.REJECTED
    names = dict(Organization.objects.filter(pk__in=tiers).values_list("pk", "legal_name"))
    nodes = sorted((Node(pk, names[pk], tier) for pk, tier in tiers.items()), key=lambda n: (n.tier, n.name))
    ordered = sorted(edges.values(), key=lambda e: (tiers[e.source_id], names[e.source_id], names[e.target_id]))
    for edge in ordered:
        edge.orders.sort()
    return Network(nodes=nodes, edges=ordered)


@dataclass(frozen=True)
class SupplierOrders:
    supplier: Organization
    orders: list[RatedOrder]
    conflicts: set[int]


def supplier_orders(supplier: Organization) -> SupplierOrders:
    """Every rated order the supplier holds, across programs, in the order of precedence (15 CFR
    700.14), and which accepted ones collide on the same item and date."""
    orders = list(in_precedence(RatedOrder.objects.filter(supplier=supplier)))
    return SupplierOrders(supplier=supplier, orders=orders, conflicts=order_conflicts(orders))
