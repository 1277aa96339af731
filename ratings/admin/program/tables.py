"""The tables of the program view's pages, built once from the selectors: the page shows them
beside their charts and the CSV download writes the same rows, so the three always agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ratings.selectors.program import capacity, dashboard
from ratings.selectors.program import concentration as conc
from ratings.selectors.program.capacity import Expected
from ratings.selectors.program.filters import ProgramFilters
from ratings.selectors.program.network import Network


@dataclass
class Table:
    name: str  # in the CSV's file name and URL
    caption: str
    headers: Sequence[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: Sequence[int] = ()  # columns aligned right
    links: list[str] = field(default_factory=list)  # per row, where its first cell links to ("" for none)

    @property
    def lines(self) -> list[tuple[str, str, list[tuple[str, bool]]]]:
        """For the template: (link, first cell, [(cell, numeric)...]) per row."""
        links = self.links or [""] * len(self.rows)
        return [
            (link, row[0], [(cell, i in self.numeric) for i, cell in enumerate(row) if i])
            for link, row in zip(links, self.rows, strict=True)
        ]

    @property
    def head(self) -> list[tuple[str, bool]]:
        return [(header, i in self.numeric) for i, header in enumerate(self.headers)]


def month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def quantity(value: object) -> str:
    text = f"{value:f}" if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class DashboardData:
    months: list[dashboard.MonthCounts]
    times: dashboard.DecisionTimes
    answers_total: dashboard.SupplierAnswers
    answers: list[dashboard.SupplierAnswers]
    tables: dict[str, Table]


def dashboard_data(filters: ProgramFilters) -> DashboardData:
    months = dashboard.request_counts_by_month(filters)
    breakdown = dashboard.request_breakdown(filters)
    times = dashboard.decision_times(filters)
    total, answers = dashboard.supplier_answers(filters)
    overdue = dashboard.overdue_orders(filters)
    by_month = {m.month: m.spread for m in times.by_month}
    tables = [
        Table(
            "requests-by-month",
            "Rating requests by month",
            ["Month", "Requested", "Approved", "Denied", "Withdrawn"],
            [
                [month_label(m.month), str(m.requested), str(m.approved), str(m.denied), str(m.withdrawn)]
                for m in months
            ],
            numeric=(1, 2, 3, 4),
        ),
        Table(
            "requests-by-program",
            "Rating requests in the period by program, category and level",
            ["Program", "Category", "Level", "Requested", "Approved", "Denied", "Withdrawn"],
            [
                [r.program, r.category, r.level, str(r.requested), str(r.approved), str(r.denied), str(r.withdrawn)]
                for r in breakdown
            ],
            numeric=(3, 4, 5, 6),
        ),
        Table(
            "decision-times",
            "Days from submission to decision, by month of decision",
            ["Month", "Decided", "Median (days)", "90th percentile (days)"],
            [
                [
                    month_label(m.month),
                    str(by_month[m.month].count if m.month in by_month else 0),
                    days(by_month[m.month].median if m.month in by_month else None),
                    days(by_month[m.month].p90 if m.month in by_month else None),
                ]
                for m in months
            ]
            + [["Whole period", str(times.overall.count), days(times.overall.median), days(times.overall.p90)]],
            numeric=(1, 2, 3),
        ),
        Table(
            "supplier-answers",
            "Supplier answers to rated orders in the period",
            [
                "Supplier",
                "Answers",
                "Accepted",
                "Rejected",
                "Late",
                "Acceptance rate (%)",
                "Median answer time (days)",
                "90th percentile (days)",
            ],
            [
                [
                    a.supplier,
                    str(a.answered),
                    str(a.accepted),
                    str(a.rejected),
                    str(a.late),
                    percent(a.acceptance_rate),
                    days(a.time.median),
                    days(a.time.p90),
                ]
                for a in [*answers, total]
            ],
            numeric=(1, 2, 3, 4, 5, 6, 7),
        ),
        Table(
            "overdue-orders",
            "Rated orders overdue now",
            ["Program", "Supplier answer overdue", "Delivery overdue"],
            [[r.program, str(r.answer_overdue), str(r.delivery_overdue)] for r in overdue],
            numeric=(1, 2),
        ),
    ]
    tables.append(
        Table(
            "assistance-cases",
            "Special priorities assistance cases open now",
            ["Program", "Open cases", "Oldest (days)", "Past HHS's target"],
            [
                [r.program, str(r.open_cases), days(r.oldest_days), str(r.past_target)]
                for r in dashboard.open_assistance_cases(filters)
            ],
            numeric=(1, 2, 3),
        )
    )
    return DashboardData(months, times, total, answers, {t.name: t for t in tables})


def _share_table(name: str, by: str, column: str, holders: list[tuple[Any, list[Any]]]) -> Table:
    """Each family's open rated quantity split by supplier or by country: the same table twice."""
    return Table(
        name,
        f"Share of each family's open rated quantity by {by}",
        ["Family", "Unit", column, "Quantity", "Share (%)"],
        [[f.name, f.unit, h.label, quantity(h.quantity), percent(h.share)] for f, hs in holders for h in hs],
        numeric=(3, 4),
    )


def concentration_tables(result: conc.Concentration) -> dict[str, Table]:
    tables = [
        Table(
            "families",
            "Item families: concentration of open rated quantity",
            [
                "Family",
                "Unit",
                "Open rated quantity",
                "Suppliers",
                "HHI by supplier",
                "Concentration",
                "HHI by country",
                "Single source",
            ],
            [
                [
                    f.name,
                    f.unit,
                    quantity(f.total),
                    str(len(f.suppliers)),
                    f"{f.supplier_hhi:.0f}",
                    f.level,
                    f"{f.country_hhi:.0f}",
                    "yes" if f.single_source else "no",
                ]
                for f in result.families
            ],
            numeric=(2, 3, 4, 6),
        ),
        _share_table("family-suppliers", "supplier", "Supplier", [(f, f.suppliers) for f in result.families]),
        _share_table(
            "family-countries", "country of manufacturing site", "Country", [(f, f.countries) for f in result.families]
        ),
        Table(
            "supplier-load",
            "Each supplier's share of all open rated orders",
            ["Supplier", "Open rated orders", "Share (%)", "Above the limit"],
            [[s.supplier, str(s.open_orders), percent(s.share), "yes" if s.flagged else "no"] for s in result.loads],
            numeric=(1, 2),
        ),
        Table(
            "alerts",
            "Alerts",
            ["Subject", "Flag", "Reason"],
            [[a.subject, a.kind, a.reason] for a in result.alerts],
        ),
    ]
    return {t.name: t for t in tables}


def network_tables(network: Network) -> dict[str, Table]:
    table = Table(
        "network-edges",
        "Rated orders between organizations (customer to supplier)",
        ["Supplier", "Supplier tier", "Customer", "Orders", "Quantity", "Earliest due", "Overdue", "Rejected"],
        [],
        numeric=(1, 3, 6, 7),
    )
    tiers = {n.organization_id: n.tier for n in network.nodes}
    for e in network.edges:
        table.rows.append(
            [
                network.name(e.target_id),
                str(tiers[e.target_id]),
                network.name(e.source_id),
                str(len(e.orders)),
                e.quantity_text,
                e.due.isoformat() if e.due else "",
                str(e.overdue),
                str(e.rejected),
            ]
        )
    return {table.name: table}


def capacity_table(expected: list[Expected]) -> Table:
    return Table(
        "capacity-reports",
        "Supplier-reported capacity of item families (programs that ask for it)",
        [
            "Supplier",
            "Program",
            "Family",
            "Open rated quantity",
            "Reported capacity (30 days)",
            "Lead time (days)",
            "Reported",
            "Status",
        ],
        [
            [
                e.supplier,
                e.program,
                e.family,
                f"{quantity(e.open_quantity)} {e.unit}",
                f"{quantity(e.latest.capacity)} {e.latest.unit}" if e.latest else "",
                str(e.latest.lead_time_days) if e.latest else "",
                e.latest.reported_at.date().isoformat() if e.latest else "",
                "missing" if e.missing else "up to date",
            ]
            for e in expected
        ],
        numeric=(3, 4, 5),
    )


def concentration_data(filters: ProgramFilters) -> tuple[conc.Concentration, dict[str, Table]]:
    """The concentration figures and tables, with the capacity reports (and their alerts) of the
    programs that ask for them."""
    result = conc.concentration(filters)
    expected = capacity.expected_reports(filters)
    result.alerts += capacity.capacity_alerts(expected)
    tables = concentration_tables(result)
    tables["capacity-reports"] = capacity_table(expected)
    return result, tables
