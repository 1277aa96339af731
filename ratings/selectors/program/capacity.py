"""Supplier-reported capacity: which reports the programs ask for, the latest one of each, and
which are missing. A report is asked of every supplier holding open rated orders, in a program
with a reporting interval, for items of a mapped item family; it is missing when none was made
within the interval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from ratings.models import CapacityReport, ItemFamilyKey, Organization, Program, RatedOrderItem
from ratings.selectors.orders import item_key
from ratings.selectors.program.concentration import OPEN_STATUSES, Alert
from ratings.selectors.program.filters import ProgramFilters

Key = tuple[int, int, int]  # supplier id, program id, family id


@dataclass(frozen=True)
class Expected:
    supplier_id: int
    supplier: str
    program_id: int
    program: str
    family_id: int
    family: str
    unit: str
    open_quantity: Decimal
    interval_days: int
    latest: CapacityReport | None

    @property
    def due_since(self) -> dt.datetime | None:
        """When the next report fell due (None: not yet due)."""
        if self.latest is None:
            return None
        due = self.latest.reported_at + dt.timedelta(days=self.interval_days)
        return due if due <= timezone.now() else None

    @property
    def missing(self) -> bool:
        return self.latest is None or self.due_since is not None


def latest_reports(supplier_ids: set[int] | None = None) -> dict[Key, CapacityReport]:
    """The latest report of each supplier, program and family (one query)."""
    reports = CapacityReport.objects.order_by("-reported_at", "-pk")
    if supplier_ids is not None:
        reports = reports.filter(supplier_id__in=supplier_ids)
    latest: dict[Key, CapacityReport] = {}
    for report in reports:
        latest.setdefault((report.supplier_id, report.program_id, report.family_id), report)
    return latest


def expected_reports(filters: ProgramFilters, supplier_ids: set[int] | None = None) -> list[Expected]:
    """Every report the programs ask for, with the latest one made. Four queries."""
    programs = {p.pk: p for p in Program.objects.filter(capacity_report_days__isnull=False, capacity_report_days__gt=0)}
    if filters.program_id:
        programs = {pk: p for pk, p in programs.items() if pk == filters.program_id}
    if not programs:
        return []
    items = RatedOrderItem.objects.filter(
        version__number=F("version__order__current_version"),
        version__order__status__in=OPEN_STATUSES,
        version__order__program_id__in=programs,
    )
    if filters.category:
        items = items.filter(version__order__source_request__category=filters.category)
    if supplier_ids is not None:
        items = items.filter(version__order__supplier_id__in=supplier_ids)
    rows = (
        items.values(
            "part_number",
            "description",
            "unit",
            supplier_id=F("version__order__supplier_id"),
            program_id=F("version__order__program_id"),
        )
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    mapping = {
        key: (family_id, name)
        for key, family_id, name in ItemFamilyKey.objects.values_list("key", "family_id", "family__name")
    }
    held: dict[Key, tuple[str, str, Decimal]] = {}
    for row in rows:
        found = mapping.get(item_key(row["part_number"], row["description"])) or mapping.get(
            item_key("", row["description"])
        )
        if found is None:
            continue
        key = (row["supplier_id"], row["program_id"], found[0])
        _, unit, quantity = held.get(key, (found[1], row["unit"], Decimal(0)))
        held[key] = (found[1], unit, quantity + row["quantity"])
    names = dict(Organization.objects.filter(pk__in={k[0] for k in held}).values_list("pk", "legal_name"))
    latest = latest_reports({k[0] for k in held})
    expected = [
        Expected(
            supplier_id=supplier_id,
            supplier=names[supplier_id],
            program_id=program_id,
            program=programs[program_id].symbol,
            family_id=family_id,
            family=family,
            unit=unit,
            open_quantity=quantity,
            interval_days=programs[program_id].capacity_report_days or 0,
            latest=latest.get((supplier_id, program_id, family_id)),
        )
        for (supplier_id, program_id, family_id), (family, unit, quantity) in held.items()
    ]
    return sorted(expected, key=lambda e: (e.supplier, e.program, e.family))


def capacity_alerts(expected: list[Expected]) -> list[Alert]:
    """Reports missing, and open rated quantity beyond what the supplier said it can deliver in 30 days."""
    raised = []
    for e in expected:
        subject = f"{e.family} ({e.supplier}, {e.program})"
        if e.latest is None:
            raised.append(Alert(subject, "capacity report missing", "No capacity report has been made."))
        elif e.due_since is not None:
            raised.append(
                Alert(subject, "capacity report missing", f"The report due every {e.interval_days} days is late.")
            )
        if e.latest is not None and e.latest.unit == e.unit and e.open_quantity > e.latest.capacity:
            raised.append(
                Alert(
                    subject,
                    "beyond reported capacity",
                    f"Open rated quantity {e.open_quantity.normalize():,f} {e.unit} is more than the "
                    f"{e.latest.capacity.normalize():,f} {e.unit} it reported it can deliver in 30 days "
                    f"(lead time {e.latest.lead_time_days} days).",
                )
            )
    return raised
