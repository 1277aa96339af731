"""The program view in a real browser, on the demo's year of history: each page opens for HHS
staff with the permission (and is refused, audited, without it), every chart's numbers are the
numbers of the table beside it, every CSV downloads with the table's rows, the pages work with
JavaScript off, and axe-core finds nothing serious. Screenshots for the README."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Browser, Page

from audit.constants import Outcome
from audit.models import AuditEvent
from ratings.demo.accounts import accounts_ensure
from ratings.demo.program import demo_program_history
from ratings.models import User
from tests.e2e.conftest import Axe, shoot, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PAGES = {
    "dashboard": "/admin/program/",
    "concentration": "/admin/program/concentration/",
    "network": "/admin/program/network/",
}


@pytest.fixture
def history():
    orgs, users = accounts_ensure()
    demo_program_history(orgs, users)
    for username in ("reviewer", "intake"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()


def table(page: Page, name: str) -> list[list[str]]:
    return page.eval_on_selector(
        f'table[data-table="{name}"]',
        "t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim()))",
    )


def marks(page: Page, figure: str, selector: str) -> dict[tuple[str, str], str]:
    """(series, category) -> value of every mark of the figure's chart."""
    return page.eval_on_selector_all(
        f'[data-figure="{figure}"] svg {selector}',
        "els => els.map(e => [e.dataset.series || '', e.dataset.category, e.dataset.value])",
    )


def as_map(found: list[list[str]]) -> dict[tuple[str, str], str]:
    return {(series, category): value for series, category, value in found}


def check_dashboard(page: Page) -> None:
    months = table(page, "requests-by-month")
    assert len(months) == 12
    bars = as_map(marks(page, "requests-by-month", "rect.bar"))
    series = ["Requested", "Approved", "Denied", "Withdrawn"]
    assert bars == {(s, row[0]): row[i + 1] for row in months for i, s in enumerate(series)}
    times = table(page, "decision-times")[:-1]  # the last row is the whole period
    dots = as_map(marks(page, "decision-times", "circle.dot"))
    expected = {(s, row[0]): row[i] for row in times for i, s in ((2, "Median"), (3, "90th percentile")) if row[i]}
    assert {k: float(v) for k, v in dots.items()} == {k: float(v) for k, v in expected.items()}
    rates = table(page, "supplier-answers")[:-1]
    shares = as_map(marks(page, "supplier-answers", "rect.bar"))
    assert {k[1]: float(v) for k, v in shares.items()} == {row[0]: float(row[5] or 0) for row in rates}


def check_concentration(page: Page) -> None:
    families = table(page, "families")
    bars = as_map(marks(page, "families", "rect.bar"))
    assert {k[1]: v for k, v in bars.items()} == {f"{row[0]} ({row[1]})": row[4] for row in families}
    top = next(row for row in families if row[7] == "no")  # the most concentrated with two suppliers or more
    shares = as_map(marks(page, "family-suppliers", "rect.bar"))
    rows = [row for row in table(page, "family-suppliers") if row[:2] == top[:2]]
    assert {k[1]: float(v) for k, v in shares.items()} == {row[2]: float(row[4]) for row in rows}
    assert page.locator('[data-testid="alert-count"]').inner_text() == str(len(table(page, "alerts")))


def check_network(page: Page) -> None:
    edges = page.eval_on_selector_all(
        '[data-figure="network-edges"] svg g.edge',
        "els => els.map(e => [e.dataset.source, e.dataset.target, e.dataset.orders, e.dataset.quantity, e.dataset.due])",
    )
    assert edges == [[row[2], row[0], row[3], row[4], row[5]] for row in table(page, "network-edges")]
    assert page.locator("svg g.edge-overdue").count() >= 1 and page.locator("svg g.edge-rejected").count() >= 1
    assert page.locator("svg g.node[data-tier='3']").count() >= 1


def download_every_csv(page: Page) -> int:
    links = page.locator("a.pv-csv")
    for i in range(links.count()):
        link = links.nth(i)
        name = link.get_attribute("href").split("/")[-2]
        with page.expect_download() as info:
            link.click()
        rows = list(csv.reader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
        shown = table(page, name) if page.locator(f'table[data-table="{name}"]').count() else []
        assert rows[2:] == shown, name
    return links.count()


def test_program_view_for_staff_with_the_permission(browser: Browser, live_server, history, axe: Axe):
    base = live_server.url
    page = sign_in(browser, base, "reviewer")
    downloads = 0
    for name, path in PAGES.items():
        page.goto(base + path)
        assert page.locator("svg.chart > title").first.text_content()
        {"dashboard": check_dashboard, "concentration": check_concentration, "network": check_network}[name](page)
        axe.check(page)
        shoot(page, f"program-{name}")
        downloads += download_every_csv(page)
    # A supplier's page from the network's table.
    page.goto(base + PAGES["network"])
    page.click('table[data-table="network-edges"] a >> nth=0')
    assert page.locator('table[data-table="supplier-orders"] tbody tr').count() >= 1
    downloads += download_every_csv(page)
    assert axe.problems == {}
    assert AuditEvent.objects.filter(action="program_view.export", outcome=Outcome.SUCCESS).count() == downloads
    # Without JavaScript the charts and tables are all there (drawn on the server).
    still = browser.new_context(storage_state=page.context.storage_state(), java_script_enabled=False).new_page()
    still.goto(base + PAGES["dashboard"] + "?program=&category=vaccine")
    assert still.locator("svg.chart").count() == 3 and still.locator("section[data-figure]").count() == 6


def test_program_view_refused_without_the_permission(browser: Browser, live_server, history):
    base = live_server.url
    page = sign_in(browser, base, "intake")
    for path in [*PAGES.values(), "/admin/program/csv/concentration/families/"]:
        response = page.goto(base + path)
        assert response.status == 403, path
        assert "program view permission" in page.locator('[data-testid="refusal"]').inner_text()
    refused = AuditEvent.objects.filter(
        action="program_view.open", outcome=Outcome.DENIED, actor_id=User.objects.get(username="intake").pk
    )
    assert refused.count() == 4
