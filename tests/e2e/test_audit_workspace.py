"""The auditor in a real browser: signing in lands on the audit workspace; its pages (search,
search by a request's reference, a refused filter, the request's history, the exports and one export with its
signed manifest) pass axe-core and never scroll sideways at 1280 px, at 375 px and at 200% zoom.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from audit.models import ExportJob
from ratings.constants import RequestState
from ratings.demo import accounts as demo
from ratings.models import RatingRequest
from tests.e2e.conftest import Axe, shoot, sign_in
from tests.e2e.test_admin_workspace import off_the_browser_thread
from tests.factories import make_cast, request_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 200% zoom of a 1280 px window lays the page out in 640 CSS pixels.
WIDTHS = {"1280": 1280, "375": 375, "zoom200": 640}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), page.url


def _check_everywhere(browser: Browser, base: str, username: str, paths: list[str], axe: Axe) -> None:
    for name, width in WIDTHS.items():
        page = sign_in(browser, base, username, width=width)
        for number, path in enumerate(paths):
            page.goto(f"{base}{path}")
            expect(page.locator("h1")).to_be_visible()
            _fits(page)
            axe.check(page)
            shoot(page, f"70-audit-{number}-{name}")
        page.context.close()


def test_the_auditor_lands_on_the_workspace_and_every_audit_page_passes_axe_without_sideways_scroll(
    browser, live_server, axe: Axe, django_capture_on_commit_callbacks
):
    cast = make_cast()
    groups = demo.groups_ensure()
    cast.auditor.groups.add(groups[demo.ROLE_GROUP["auditor"]])

    def issue() -> RatingRequest:
        # Off the browser's thread: signing the order document runs its own event loop.
        with django_capture_on_commit_callbacks(execute=True):
            return request_in_state(cast, RequestState.ISSUED)

    rr = off_the_browser_thread(issue)
    assert rr.rated_orders.get().versions.get().documents.exists()
    base = live_server.url

    page = sign_in(browser, base, cast.auditor.username)
    expect(page).to_have_url(f"{base}/audit/")
    expect(page.locator("h1")).to_have_text("Audit trail")
    # an export from the page, then its manifest beside it on "Your exports"
    page.goto(f"{base}/audit/?reference={rr.reference}")
    with page.expect_download() as download:
        page.click("a:has-text('JSON Lines')")
    assert download.value.suggested_filename.endswith(".jsonl")
    page.click("nav[aria-label='Audit workspace'] a:has-text('Your exports')")
    job = ExportJob.objects.get()
    expect(page.locator(f"tr[data-export='{job.pk}'] a:has-text('Signed manifest')")).to_be_visible()
    # people and organizations are typed: a name no organization has is refused beside the field,
    # part of the manufacturer's name finds its events
    page.goto(f"{base}/audit/")
    page.get_by_label("Organization concerned").fill("Zeta Labs")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("no organization has a name containing “Zeta Labs”")
    expect(page.get_by_label("Organization concerned")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Organization concerned").fill(cast.manufacturer.legal_name.split()[0].lower())
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("region", name="Matching events").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_label("Organization concerned")).to_have_value(cast.manufacturer.legal_name.split()[0].lower())
    page.context.close()

    paths = [
        "/audit/",
        f"/audit/?reference={rr.reference}",
        "/audit/?organization=Zeta+Labs",  # refused: the error beside the typed field
        f"/audit/requests/{rr.reference}/",
        "/audit/exports/",
        f"/audit/exports/{job.pk}/",
    ]
    _check_everywhere(browser, base, cast.auditor.username, paths, axe)
    assert axe.problems == {}
    assert len(axe.checked) == len(paths) * len(WIDTHS)
