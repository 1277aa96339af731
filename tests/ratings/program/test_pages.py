"""The program view's pages: permission-gated (refusals audited), charts beside their tables,
CSV downloads audited, and a query count that does not grow with the orders."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.constants import Outcome
from ratings.constants import CONFIDENTIALITY_LEGEND, RequestState, SupplierResponseKind
from ratings.models import ItemFamily
from tests.factories import OrganizationFactory
from tests.helpers import events_after, last_sequence
from tests.ratings.program.builders import Line, answer, at, order, request
from tests.ratings.program.test_families_and_access import grant

pytestmark = pytest.mark.django_db
PAGES = ["admin:program_dashboard", "admin:program_concentration", "admin:program_network"]


@pytest.fixture
def data(cast):
    rr = request(
        applicant=cast.manufacturer,
        contact=cast.applicant,
        program=cast.program,
        state=RequestState.ISSUED,
        submitted_at=at(2026, 1, 10),
        decided_at=at(2026, 1, 20),
    )
    skid = order(
        source=rr,
        supplier=cast.supplier_org,
        lines=[Line("Skid", "4", part_number="SKD-1")],
        received_at=at(2026, 1, 21),
    )
    answer(skid, kind=SupplierResponseKind.ACCEPT, at_=at(2026, 1, 23), responder=cast.supplier)
    order(
        source=rr,
        placing=cast.supplier_org,
        parent=skid,
        supplier=cast.supplier_org2,
        lines=[Line("Membrane", "40", "m2")],
    )
    return rr


def _more_orders(cast, rr, n):
    for i in range(n):
        supplier = OrganizationFactory(supplier=True, manufacturing_country="DE")
        order(source=rr, supplier=supplier, lines=[Line("Skid", str(i + 1), part_number="SKD-1")])


@pytest.mark.parametrize("name", PAGES)
def test_refused_without_the_permission_and_audited(client, cast, data, name):
    client.force_login(cast.reviewer)
    start = last_sequence()
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "Only HHS staff granted the program view permission" in response.content.decode()
    [event] = events_after(start)
    assert (event.action, event.outcome, event.actor_id) == ("program_view.open", Outcome.DENIED, cast.reviewer.pk)


def test_an_administrator_is_refused_even_with_the_permission(client, cast, data):
    client.force_login(grant(cast.hhsadmin))
    assert client.get(reverse("admin:program_dashboard")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_pages_show_charts_with_titles_and_tables(client, cast, data, name):
    client.force_login(grant(cast.reviewer))
    response = client.get(reverse(name), {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="chart' in html and "<title id=" in html and "<desc id=" in html
    assert 'data-table="' in html and "Download CSV" in html
    assert "<script" not in html.split('id="content"')[1]  # works without JavaScript


def test_dashboard_chart_values_are_the_table_values(client, cast, data):
    client.force_login(grant(cast.reviewer))
    html = client.get(reverse("admin:program_dashboard"), {"start": "2026-01-01", "end": "2026-02-28"}).content.decode()
    assert 'data-series="Requested" data-category="Jan 2026" data-value="1"' in html
    assert 'data-series="Approved" data-category="Jan 2026" data-value="1"' in html
    assert 'data-series="Requested" data-category="Feb 2026" data-value="0"' in html
    assert '<th scope="row">Jan 2026</th><td class="ws-num">1</td><td class="ws-num">1</td>' in html


def test_csv_download_is_audited_and_matches_the_table(client, cast, data):
    client.force_login(grant(cast.reviewer))
    start = last_sequence()
    url = reverse("admin:program_csv", kwargs={"page": "dashboard", "table": "requests-by-month"})
    response = client.get(url, {"start": "2026-01-01", "end": "2026-02-28"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [CONFIDENTIALITY_LEGEND]
    assert rows[1:] == [
        ["Month", "Requested", "Approved", "Denied", "Withdrawn"],
        ["Jan 2026", "1", "1", "0", "0"],
        ["Feb 2026", "0", "0", "0", "0"],
    ]
    [event] = events_after(start)
    assert (event.action, event.outcome, event.data["table"], event.data["rows"]) == (
        "program_view.export",
        Outcome.SUCCESS,
        "dashboard/requests-by-month",
        2,
    )


def test_csv_refused_without_the_permission(client, cast, data):
    client.force_login(cast.reviewer)
    url = reverse("admin:program_csv", kwargs={"page": "concentration", "table": "families"})
    assert client.get(url).status_code == 403


def test_supplier_page_lists_its_orders(client, cast, data):
    client.force_login(grant(cast.auditor))
    html = client.get(reverse("admin:program_supplier", args=[cast.supplier_org.pk])).content.decode()
    assert data.rated_orders.get(supplier=cast.supplier_org).order_number in html
    url = reverse(
        "admin:program_csv",
        kwargs={"page": "supplier", "organization_id": cast.supplier_org.pk, "table": "supplier-orders"},
    )
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert [r[0] for r in rows[2:]] == [data.rated_orders.get(supplier=cast.supplier_org).order_number]


def test_item_family_admin_saves_through_the_service(client, cast, data):
    client.force_login(grant(cast.reviewer))
    response = client.post(
        reverse("admin:ratings_itemfamily_add"),
        {"name": "Skids", "notes": "", "part_numbers": "SKD-1\nskd 2", "descriptions": ""},
    )
    assert response.status_code == 302
    assert sorted(ItemFamily.objects.get(name="Skids").keys.values_list("key", flat=True)) == ["pn:SKD1", "pn:SKD2"]


@pytest.mark.parametrize("name", [*PAGES])
def test_query_count_does_not_grow_with_orders(client, cast, data, name):
    client.force_login(grant(cast.reviewer))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    count()  # warm caches (content types, sessions)
    before = count()
    _more_orders(cast, data, 12)
    assert count() == before
