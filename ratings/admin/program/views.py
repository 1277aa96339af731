"""The program view's pages in the admin: dashboard, concentration, supply network, a supplier's
orders, and the CSV of any of their tables. For HHS staff with the program view permission; a
refusal is audited (services.program.access) and shown as a 403 page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from dpa_portal.errors import PermissionRefused
from ratings.admin.program import charts
from ratings.admin.program.tables import (
    Table,
    capacity_table,
    concentration_data,
    dashboard_data,
    month_label,
    network_tables,
)
from ratings.clock import agency_time
from ratings.constants import CONFIDENTIALITY_LEGEND, HealthResourceCategory, OrganizationKind
from ratings.models import ItemFamily, Organization, Program, User
from ratings.selectors.program import capacity, network
from ratings.selectors.program.filters import ProgramFilters
from ratings.services.program import access

PAGES = ("dashboard", "concentration", "network", "supplier")


@dataclass
class Figure:
    table: Table
    chart: SafeString | None
    csv_url: str
    stacked: bool = False  # the chart above the table: wide tables and the network

    def __post_init__(self) -> None:
        self.stacked = self.stacked or len(self.table.headers) > 5


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404("Sign in as HHS staff.")
    return user


def _refused(request: HttpRequest, error: PermissionRefused) -> HttpResponse:
    context = {**admin.site.each_context(request), "title": "Program view", "message": error.message}
    return TemplateResponse(request, "admin/ratings/program/refused.html", context, status=403)


def guarded(page: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                access.program_view_open(actor=_actor(request), page=page)
            except PermissionRefused as error:
                return _refused(request, error)
            return view(request, *args, **kwargs)

        wrapper.__name__ = view.__name__
        return wrapper

    return decorate


def _csv_url(page: str, table: str, query: dict[str, str], **extra: Any) -> str:
    return reverse("admin:program_csv", kwargs={"page": page, "table": table, **extra}) + "?" + urlencode(query)


def _context(request: HttpRequest, title: str, filters: ProgramFilters, **more: Any) -> dict[str, Any]:
    return {
        **admin.site.each_context(request),
        "title": title,
        "filters": filters,
        "programs": Program.objects.order_by("symbol"),
        "categories": HealthResourceCategory.choices,
        "legend": CONFIDENTIALITY_LEGEND,
        "query": urlencode(filters.as_query()),
        **more,
    }


def _period(filters: ProgramFilters) -> str:
    return f"{filters.start.isoformat()} to {filters.end.isoformat()}"


@guarded("dashboard")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    filters = ProgramFilters.parse(request.GET)
    data = dashboard_data(filters)
    months = [month_label(m.month) for m in data.months]
    by_month = {m.month: m.spread for m in data.times.by_month}
    tables = data.tables
    tables["supplier-answers"].links = [
        reverse("admin:program_supplier", args=[a.supplier_id]) if a.supplier_id else "" for a in data.answers
    ] + [""]  # the last row is all suppliers together
    request_chart = charts.bar_chart(
        "Rating requests by month",
        f"Requests submitted, approved, denied and withdrawn in each month, {_period(filters)}. "
        "The table beside the chart holds the same numbers.",
        months,
        [
            charts.Series("Requested", [m.requested for m in data.months]),
            charts.Series("Approved", [m.approved for m in data.months]),
            charts.Series("Denied", [m.denied for m in data.months]),
            charts.Series("Withdrawn", [m.withdrawn for m in data.months]),
        ],
    )
    time_chart = charts.line_chart(
        "Days from submission to decision",
        "Median and 90th percentile of the days from submission to decision, by month of decision.",
        months,
        [
            charts.Series(
                "Median", [_round(by_month[m.month].median) if m.month in by_month else None for m in data.months]
            ),
            charts.Series(
                "90th percentile", [_round(by_month[m.month].p90) if m.month in by_month else None for m in data.months]
            ),
        ],
    )
    acceptance_chart = charts.share_chart(
        "Acceptance rate by supplier",
        "Share of each supplier's answers in the period that accepted the rated order, in percent.",
        [(a.supplier, _round(a.acceptance_rate) or 0.0) for a in data.answers],
    )
    query = filters.as_query()
    figures = [
        Figure(tables["requests-by-month"], request_chart, _csv_url("dashboard", "requests-by-month", query)),
        Figure(tables["requests-by-program"], None, _csv_url("dashboard", "requests-by-program", query)),
        Figure(tables["decision-times"], time_chart, _csv_url("dashboard", "decision-times", query)),
        Figure(tables["supplier-answers"], acceptance_chart, _csv_url("dashboard", "supplier-answers", query)),
        Figure(tables["overdue-orders"], None, _csv_url("dashboard", "overdue-orders", query)),
        Figure(tables["assistance-cases"], None, _csv_url("dashboard", "assistance-cases", query)),
    ]
    context = _context(request, "Program dashboard", filters, figures=figures, page="dashboard", times=data.times)
    return TemplateResponse(request, "admin/ratings/program/dashboard.html", context)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@guarded("concentration")
def concentration_view(request: HttpRequest) -> HttpResponse:
    filters = ProgramFilters.parse(request.GET)
    result, tables = concentration_data(filters)
    query = filters.as_query()
    hhi_chart = charts.bar_chart(
        "Concentration of each item family (HHI by supplier)",
        "Herfindahl-Hirschman Index of each family's open rated quantity by supplier; above "
        f"{_threshold()} is highly concentrated.",
        [f"{f.name} ({f.unit})" for f in result.families],
        [charts.Series("HHI by supplier", [round(f.supplier_hhi) for f in result.families])],
    )
    figures = [Figure(tables["families"], hhi_chart, _csv_url("concentration", "families", query))]
    # The share charts show the most concentrated family that has more than one supplier.
    top = next((f for f in result.families if not f.single_source), result.families[0] if result.families else None)
    if top is not None:
        figures += [
            Figure(
                tables[name],
                charts.share_chart(
                    f"{top.name} ({top.unit}): share by {by}",
                    f"Share of the open rated quantity of {top.name} {verb} each {by}, in percent.",
                    [(h.label, round(h.share, 1)) for h in holders],
                ),
                _csv_url("concentration", name, query),
            )
            for name, by, verb, holders in (
                ("family-suppliers", "supplier", "held by", top.suppliers),
                ("family-countries", "country of manufacturing site", "made in", top.countries),
            )
        ]
    figures += [
        Figure(tables["supplier-load"], None, _csv_url("concentration", "supplier-load", query)),
        Figure(tables["capacity-reports"], None, _csv_url("concentration", "capacity-reports", query)),
    ]
    context = _context(
        request,
        "Concentration and single points of failure",
        filters,
        figures=figures,
        alerts=tables["alerts"],
        alerts_csv=_csv_url("concentration", "alerts", query),
        page="concentration",
        top=top,
        threshold=_threshold(),
    )
    return TemplateResponse(request, "admin/ratings/program/concentration.html", context)


def _threshold() -> str:
    return f"{settings.PROGRAM_HHI_HIGHLY_CONCENTRATED:,}"


@guarded("network")
def network_view(request: HttpRequest) -> HttpResponse:
    filters = ProgramFilters.parse(request.GET)
    family = (request.GET.get("family") or "").strip()[:300]
    net = network.supply_network(filters, family)
    tables = network_tables(net)
    query = {**filters.as_query(), **({"family": family} if family else {})}
    chart = charts.network_chart(
        "Supply network",
        "Organizations linked by rated orders, from the manufacturer through each tier of flow-down. Each arrow "
        "goes from customer to supplier with the quantity and earliest due date; dashed arrows have an overdue "
        "order, dotted arrows a rejected one.",
        net,
    )
    names = {n.name: n.organization_id for n in net.nodes}
    tables["network-edges"].links = [
        reverse("admin:program_supplier", args=[names[row[0]]]) for row in tables["network-edges"].rows
    ]
    figures = [Figure(tables["network-edges"], chart, _csv_url("network", "network-edges", query), stacked=True)]
    context = _context(
        request,
        "Supply network",
        filters,
        figures=figures,
        page="network",
        family=family,
        families=list(ItemFamily.objects.values_list("name", flat=True)),
    )
    return TemplateResponse(request, "admin/ratings/program/network.html", context)


def supplier_table(supplier: Organization) -> Table:
    held = network.supplier_orders(supplier)
    table = Table(
        "supplier-orders",
        f"Rated orders held by {supplier.legal_name}, in order of precedence",
        [
            "Order",
            "Rating",
            "Program",
            "Placed by",
            "Status",
            "Required by",
            "Received",
            "Answer due",
            "Overdue",
            "Conflict",
        ],
    )
    for order in held.orders:
        annotated: Any = order  # in_precedence annotates the current version's dates
        table.rows.append(
            [
                order.order_number,
                order.rating,
                order.program.name,
                order.placing_organization.legal_name,
                order.get_status_display(),
                annotated.required_by.isoformat() if annotated.required_by else "",
                agency_time(annotated.received_at) if annotated.received_at else "",
                agency_time(annotated.response_due_at) if annotated.response_due_at else "",
                "yes" if annotated.is_overdue else "no",
                "yes" if order.pk in held.conflicts else "no",
            ]
        )
        table.links.append(reverse("admin:ratings_ratedorder_change", args=[order.pk]))
    return table


def supplier_tables(supplier: Organization) -> dict[str, Table]:
    """Its rated orders in precedence, and the capacity reports asked of it."""
    reports = capacity_table(capacity.expected_reports(ProgramFilters.default(), {supplier.pk}))
    return {"supplier-orders": supplier_table(supplier), reports.name: reports}


@guarded("supplier")
def supplier_view(request: HttpRequest, organization_id: int) -> HttpResponse:
    supplier = get_object_or_404(Organization, pk=organization_id, kind=OrganizationKind.SUPPLIER)
    figures = [
        Figure(table, None, _csv_url("supplier", name, {}, organization_id=supplier.pk))
        for name, table in supplier_tables(supplier).items()
    ]
    context = _context(
        request, f"Supplier: {supplier.legal_name}", ProgramFilters.default(), figures=figures, supplier=supplier
    )
    return TemplateResponse(request, "admin/ratings/program/supplier.html", context)


def _tables_of(page: str, request: HttpRequest, organization_id: int | None) -> dict[str, Table]:
    filters = ProgramFilters.parse(request.GET)
    if page == "dashboard":
        return dashboard_data(filters).tables
    if page == "concentration":
        return concentration_data(filters)[1]
    if page == "network":
        return network_tables(network.supply_network(filters, (request.GET.get("family") or "").strip()[:300]))
    supplier = get_object_or_404(Organization, pk=organization_id, kind=OrganizationKind.SUPPLIER)
    return supplier_tables(supplier)


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_view(request: HttpRequest, page: str, table: str, organization_id: int | None = None) -> HttpResponse:
    if page not in PAGES:
        raise Http404("No such page.")
    actor = _actor(request)
    try:
        access.program_view_open(actor=actor, page=page)
    except PermissionRefused as error:
        return _refused(request, error)
    found = _tables_of(page, request, organization_id).get(table)
    if found is None:
        raise Http404("No such table.")
    filters = {
        key: value[:100]
        for key, value in request.GET.items()
        if key in ("start", "end", "program", "category", "family")
    }
    try:
        access.program_view_export(actor=actor, table=f"{page}/{table}", filters=filters, rows=len(found.rows))
    except PermissionRefused as error:
        return _refused(request, error)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([CONFIDENTIALITY_LEGEND])
    writer.writerow(found.headers)
    writer.writerows([[_cell(cell) for cell in row] for row in found.rows])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="program-{page}-{table}.csv"'
    return response
