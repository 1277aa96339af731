"""Concentration and single points of failure: for each item family, who holds the open rated
quantity (by supplier, and by country of the supplier's manufacturing site), its
Herfindahl-Hirschman Index, single-source families, suppliers carrying too much of the open
rated load, and the alerts these raise with their reasons.

An item's family is HHS's mapping (ItemFamily) of its normalised part number, else of its
normalised description; an unmapped item is a family of its own. Quantities are not converted
between units: a family measured in two units is two rows. Open rated quantity is the current
version of every order not cancelled, rejected or fulfilled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, QuerySet, Sum

from ratings.constants import OrderStatus
from ratings.models import ItemFamilyKey, RatedOrder, RatedOrderItem
from ratings.selectors.orders import item_key
from ratings.selectors.program.filters import ProgramFilters
from ratings.selectors.program.stats import hhi, shares

OPEN_STATUSES = [OrderStatus.ISSUED, OrderStatus.AMENDED, OrderStatus.ACCEPTED]
HIGHLY = "highly concentrated"
MODERATELY = "moderately concentrated"
UNCONCENTRATED = "unconcentrated"


def concentration_level(index: float) -> str:
    """2023 Merger Guidelines thresholds, from settings."""
    if index > settings.PROGRAM_HHI_HIGHLY_CONCENTRATED:
        return HIGHLY
    if index >= settings.PROGRAM_HHI_MODERATELY_CONCENTRATED:
        return MODERATELY
    return UNCONCENTRATED


@dataclass(frozen=True)
class Holding:
    """One holder's open rated quantity of a family and its share in percent."""

    key: str  # supplier id or country code
    label: str
    quantity: Decimal
    share: float


@dataclass
class Family:
    name: str
    unit: str
    mapped: bool  # named by HHS's mapping, not an unmapped item of its own
    total: Decimal = Decimal(0)
    suppliers: list[Holding] = field(default_factory=list)
    countries: list[Holding] = field(default_factory=list)

    @property
    def supplier_hhi(self) -> float:
        return hhi(h.share for h in self.suppliers)

    @property
    def country_hhi(self) -> float:
        return hhi(h.share for h in self.countries)

    @property
    def level(self) -> str:
        return concentration_level(self.supplier_hhi)

    @property
    def country_level(self) -> str:
        return concentration_level(self.country_hhi)

    @property
    def single_source(self) -> bool:
        return len(self.suppliers) == 1


@dataclass(frozen=True)
class SupplierLoad:
    supplier_id: int
    supplier: str
    open_orders: int
    share: float  # percent of all open rated orders
    flagged: bool


@dataclass(frozen=True)
class Alert:
    subject: str
    kind: str  # "single source", "supplier concentration", "country concentration", "supplier load"
    reason: str


@dataclass
class Concentration:
    families: list[Family]
    loads: list[SupplierLoad]
    alerts: list[Alert]


def _open_orders(filters: ProgramFilters) -> QuerySet[RatedOrder]:
    orders = RatedOrder.objects.filter(status__in=OPEN_STATUSES)
    if filters.program_id:
        orders = orders.filter(program_id=filters.program_id)
    if filters.category:
        orders = orders.filter(source_request__category=filters.category)
    return orders


def open_item_rows(filters: ProgramFilters) -> QuerySet[RatedOrderItem, dict[str, object]]:
    """Open rated quantity by item as written, unit and supplier (one grouped query)."""
    items = RatedOrderItem.objects.filter(
        version__number=F("version__order__current_version"), version__order__status__in=OPEN_STATUSES
    )
    if filters.program_id:
        items = items.filter(version__order__program_id=filters.program_id)
    if filters.category:
        items = items.filter(version__order__source_request__category=filters.category)
    return (
        items.values(
            "part_number",
            "description",
            "unit",
            supplier_id=F("version__order__supplier_id"),
            supplier_name=F("version__order__supplier__legal_name"),
            country=F("version__order__supplier__manufacturing_country"),
        )
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )


def families(filters: ProgramFilters) -> list[Family]:
    """Every family with open rated quantity, most concentrated first. Two queries."""
    mapping = dict(ItemFamilyKey.objects.values_list("key", "family__name"))
    by_supplier: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_country: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    names: dict[str, str] = {}
    labels: dict[tuple[str, str], tuple[str, bool]] = {}
    for row in open_item_rows(filters):
        key = item_key(str(row["part_number"]), str(row["description"]))
        family_name = mapping.get(key)
        if family_name is None and key.startswith("pn:"):
            family_name = mapping.get(item_key("", str(row["description"])))
        group = (family_name or key, str(row["unit"]))
        labels.setdefault(
            group, (family_name or str(row["part_number"] or row["description"]), family_name is not None)
        )
        supplier = str(row["supplier_id"])
        names[supplier] = str(row["supplier_name"])
        quantity = Decimal(str(row["quantity"]))
        by_supplier[group][supplier] += quantity
        by_country[group][str(row["country"]) or "—"] += quantity
    result = []
    for group, held in by_supplier.items():
        name, mapped = labels[group]
        supplier_shares, country_shares = shares(held), shares(by_country[group])
        result.append(
            Family(
                name=name,
                unit=group[1],
                mapped=mapped,
                total=sum(held.values(), Decimal(0)),
                suppliers=_holdings(held, supplier_shares, names),
                countries=_holdings(by_country[group], country_shares, {}),
            )
        )
    return sorted(result, key=lambda f: (-f.supplier_hhi, f.name, f.unit))


def _holdings(held: dict[str, Decimal], percent: dict[str, float], labels: dict[str, str]) -> list[Holding]:
    return sorted(
        (Holding(key, labels.get(key, key), quantity, percent[key]) for key, quantity in held.items()),
        key=lambda h: (-h.quantity, h.label),
    )


def supplier_loads(filters: ProgramFilters) -> list[SupplierLoad]:
    """Each supplier's share of all open rated orders (orders, not quantities: quantities in
    different units cannot be added up). One query."""
    rows = list(
        _open_orders(filters)
        .values("supplier_id", "supplier__legal_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "supplier__legal_name")
    )
    total = sum(row["n"] for row in rows)
    limit = settings.PROGRAM_SUPPLIER_LOAD_SHARE_PERCENT
    loads = []
    for row in rows:
        share = row["n"] * 100 / total if total else 0.0
        loads.append(SupplierLoad(row["supplier_id"], row["supplier__legal_name"], row["n"], share, share > limit))
    return loads


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def alerts(found: list[Family], loads: list[SupplierLoad]) -> list[Alert]:
    """Why each family or supplier is flagged, in words."""
    highly = settings.PROGRAM_HHI_HIGHLY_CONCENTRATED
    raised = []
    for family in found:
        subject = f"{family.name} ({family.unit})"
        if family.single_source:
            only = family.suppliers[0]
            raised.append(
                Alert(
                    subject,
                    "single source",
                    f"{only.label} holds all open rated quantity ({family.total.normalize():,f} {family.unit}), made in {family.countries[0].label}.",
                )
            )
            continue
        if family.supplier_hhi > highly:
            top = family.suppliers[0]
            raised.append(
                Alert(
                    subject,
                    "supplier concentration",
                    f"HHI {family.supplier_hhi:,.0f} by supplier is above {highly:,} (highly concentrated, 2023 Merger "
                    f"Guidelines); {top.label} holds {_percent(top.share)}.",
                )
            )
        if family.country_hhi > highly:
            top = family.countries[0]
            raised.append(
                Alert(
                    subject,
                    "country concentration",
                    f"HHI {family.country_hhi:,.0f} by country of manufacturing site is above {highly:,}; "
                    f"{top.label} makes {_percent(top.share)}.",
                )
            )
    limit = settings.PROGRAM_SUPPLIER_LOAD_SHARE_PERCENT
    for load in loads:
        if load.flagged:
            raised.append(
                Alert(
                    load.supplier,
                    "supplier load",
                    f"Holds {load.open_orders:,} of the open rated orders ({_percent(load.share)}), more than the "
                    f"{limit}% set for one supplier.",
                )
            )
    return raised


def concentration(filters: ProgramFilters) -> Concentration:
    found = families(filters)
    loads = supplier_loads(filters)
    return Concentration(families=found, loads=loads, alerts=alerts(found, loads))
