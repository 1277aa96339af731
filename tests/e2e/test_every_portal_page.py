"""Every portal page, as the user it is for (manufacturer, supplier), at 1280 px, at 375 px (a
phone) and at 200% zoom (a 1280 px window shows 640 CSS px): axe-core finds no serious or
critical violation, no page scrolls sideways (document width <= viewport width, asserted), and
no column heading breaks a word across lines.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ratings.constants import RequestState
from ratings.models import RatedOrder
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import responses as supplier_responses
from tests.e2e.conftest import Axe, sign_in
from tests.factories import PASSWORD, Cast, draft_request, make_cast, otp, request_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {
    "1280px": {"width": 1280, "height": 900, "scale": 1},
    "375px": {"width": 375, "height": 812, "scale": 1},
    "200pct-zoom": {"width": 640, "height": 450, "scale": 2},
}


def _first_order(cast: Cast, state: str = RequestState.ISSUED) -> RatedOrder:
    return request_in_state(cast, state).rated_orders.order_by("order_number").first()


def _amended(cast: Cast, order: RatedOrder) -> RatedOrder:
    """A second version with a moved date, so the pages show versions and what changed."""
    item = order.versions.get(number=1).items_snapshot[0]
    return order_changes.rated_order_amend(
        order=order,
        actor=cast.approver,
        password=PASSWORD,
        otp=otp(cast.approver),
        reason="The clinic opens later.",
        items=[
            order_changes.AmendedItem(
                position=1,
                description=item["description"],
                quantity=item["quantity"],
                unit=item["unit"],
                required_dates=[
                    dt.date.fromisoformat(d["date"]) + dt.timedelta(days=7) for d in item["required_dates"]
                ],
                ship_to=item["ship_to"],
            )
        ],
    )


def _pages(cast: Cast) -> dict[str, list[str]]:
    """Every portal page each user has, with the records it needs."""
    draft = draft_request(cast)
    submitted = request_in_state(cast, RequestState.SUBMITTED)
    denied = request_in_state(cast, RequestState.DENIED)
    amended = _amended(cast, _first_order(cast))
    accepted = supplier_responses.rated_order_accept(order=_first_order(cast), actor=cast.supplier)
    accepted = supplier_responses.rated_order_record_delay_report(
        order=accepted,
        actor=cast.applicant,
        reasons="Resin shortage at the plant.",
        new_date=timezone.localdate() + dt.timedelta(days=120),
        channel="phone call",
    )
    report = accepted.responses.get(kind="delay_reported")
    wizard = [
        f"/portal/requests/{draft.pk}/edit/{step}/"
        for step in ("details", "items", "justification", "attachments", "review")
    ]
    manufacturer = [
        "/portal/",
        "/portal/requests/",
        "/portal/requests/new/",
        *wizard,
        f"/portal/requests/{draft.pk}/",
        f"/portal/requests/{amended.source_request_id}/",
        f"/portal/requests/{amended.source_request_id}/supplier-contacts/",
        f"/portal/requests/{submitted.pk}/withdraw/",
        f"/portal/requests/{denied.pk}/",
        f"/portal/placed/{amended.order_number}/",
        f"/portal/placed/{accepted.order_number}/",
        f"/portal/placed/{accepted.order_number}/delay-report/",
        f"/portal/placed/{accepted.order_number}/assistance/",
        "/portal/api/",
        "/notifications/",
        "/accounts/security/",
        "/accounts/tokens/",
    ]
    supplier = [
        "/portal/",
        "/portal/orders/",
        f"/portal/orders/{amended.order_number}/",
        f"/portal/orders/{amended.order_number}/reject/",
        f"/portal/orders/{accepted.order_number}/",
        f"/portal/orders/{accepted.order_number}/delay/",
        f"/portal/orders/{accepted.order_number}/delay/{report.pk}/confirm/",
        f"/portal/orders/{accepted.order_number}/flowdown/",
        f"/portal/orders/{accepted.order_number}/flowdown/new-supplier/",
        "/portal/capacity/",
        "/notifications/",
        "/accounts/security/",
    ]
    # The placing party's change is signed by its authorized signer (45 CFR 101.36(a)(2), 101.32(a)(3)).
    signer = [f"/portal/placed/{amended.order_number}/amend/", f"/portal/placed/{amended.order_number}/cancel/"]
    return {cast.applicant.username: manufacturer, cast.supplier.username: supplier, cast.signer.username: signer}


def _sideways(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


# Each word of each visible column heading, measured as a range: a word broken across lines has
# line boxes at more than one height.
SPLIT_HEADING_WORDS = """() => {
  const split = [];
  for (const th of document.querySelectorAll("main thead th")) {
    if (!th.offsetParent) continue;
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_portal_page_passes_axe_and_never_scrolls_sideways(browser, live_server, axe: Axe, size: str):
    cast = make_cast()
    pages = _pages(cast)
    wide: dict[str, int] = {}
    split_headings: dict[str, list[str]] = {}
    unreachable: dict[str, str] = {}
    for username, paths in pages.items():
        page = sign_in(browser, live_server.url, username, **SIZES[size])
        for path in paths:
            response = page.goto(live_server.url + path)
            landed = page.url.removeprefix(live_server.url)
            if response is None or response.status != 200 or landed != path:
                unreachable[f"{username} {path}"] = f"{response.status if response else '-'} at {landed}"
                continue
            axe.check(page)
            overflow = _sideways(page)
            if overflow > 0:
                wide[f"{username} {path}"] = overflow
            if split := page.evaluate(SPLIT_HEADING_WORDS):
                split_headings[f"{username} {path}"] = split
        if size != "1280px":
            # The header menu collapses behind its button, and opens.
            page.goto(live_server.url + "/portal/")
            nav = page.locator("nav.usa-nav")
            expect(nav).to_be_hidden()
            page.click("button.usa-menu-btn")
            expect(nav).to_be_visible()
            expect(nav.locator("a:has-text('Account security')")).to_be_visible()
        page.context.close()
    assert (unreachable, wide, split_headings, axe.problems) == ({}, {}, {}, {})
    assert len(axe.checked) == sum(len(paths) for paths in pages.values())
