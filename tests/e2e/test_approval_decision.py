"""The approving official decides a 40-item DX request in a real browser (45 CFR 101.31 levels;
45 CFR 101.32(a) items and quantities): the level approved, one item left out, one reduced, a
split reduced per date, each with its reason, signed with password and second factor. A bad
quantity is shown on its row first and nothing is stored. Screenshots, 1280 px, axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ratings.constants import RatingLevel, RequestState
from ratings.models import ApprovalDecision, RatingAuthorization, RatingRequest
from tests.e2e.conftest import Axe, shoot
from tests.e2e.test_admin_workspace import fits, off_the_browser_thread, sign_in, staff_cast
from tests.factories import PASSWORD, otp
from tests.ratings.orders.conftest import many_items, recommended_with_items, split_items

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where a person looks at the page; test-artifacts/ keeps the run's copy too.
LOOK = Path(os.environ.get("APPROVAL_SCREENSHOTS", "/tmp"))


def test_45_cfr_101_32_a_a_40_item_dx_request_is_approved_at_do_in_part(browser: Browser, live_server, axe: Axe):
    base = live_server.url
    cast, rr = off_the_browser_thread(
        lambda: (
            (c := staff_cast()),
            recommended_with_items(
                c,
                [*many_items(c.supplier_org, 38), *split_items(c.supplier_org2, 2, first=39)],
                requested_level=RatingLevel.DX,
            ),
        )
    )
    page = sign_in(browser, base, cast.secretary.username)
    page.goto(f"{base}/admin/ratings/ratingrequest/{rr.pk}/act/approve/")

    rows = page.locator("[data-testid=approval-items] tbody tr")
    expect(rows).to_have_count(40)
    expect(page.locator("#id_approved_level")).to_have_value("DX")
    fits(page)
    axe.check(page)
    page.screenshot(path=str(LOOK / "approval-decision-40-items.png"), full_page=True)

    # A quantity over the request: an error on its row, nothing stored, what was typed kept.
    page.select_option("#id_approved_level", "DO")
    page.fill("#id_level_reason", "DO precedence meets the delivery dates.")
    page.check("#id_item_2_exclude")
    page.fill("#id_item_2_reason", "Model 2 skids are stocked by the SNS.")
    page.fill("#id_item_5_quantity", "11")
    page.fill("#id_item_5_reason", "Capacity of one fill line.")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(cast.secretary))
    page.click("#transition-form input[type=submit]")
    expect(page.locator("[data-testid=approval-item-5]")).to_contain_text(
        "Item 5: 11 each is more than the 10 each requested"
    )
    expect(page.locator("#id_item_2_exclude")).to_be_checked()
    assert off_the_browser_thread(lambda: ApprovalDecision.objects.count()) == 0
    page.locator("[data-testid=approval-item-5]").scroll_into_view_if_needed()
    page.screenshot(path=str(LOOK / "approval-decision-row-error.png"))

    # Corrected, with a split reduced per date: signed.
    page.fill("#id_item_5_quantity", "6")
    page.fill("#id_item_39_split_1", "400")
    page.fill("#id_item_39_split_2", "100")
    page.fill("#id_item_39_reason", "One fill line only.")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(cast.secretary))
    shoot(page, "22-decision-approve-in-part")
    page.click("#transition-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("approved")

    def stored() -> tuple[str, list[str], list[tuple[int, str]], str]:
        decision = ApprovalDecision.objects.get(rating_request_id=rr.pk)
        authorization = RatingAuthorization.objects.get(rating_request_id=rr.pk)
        return (
            RatingRequest.objects.get(pk=rr.pk).state,
            [line.split(". Reason")[0] for line in decision.lines()],
            [(i["position"], i["quantity"]) for i in authorization.items_snapshot if i["position"] in (1, 2, 5, 39)],
            authorization.rating,
        )

    state, lines, items, rating = off_the_browser_thread(stored)
    assert state == RequestState.ISSUED
    assert lines[:3] == [
        "Approved at DO (requested DX): DO precedence meets the delivery dates.",
        "Item 2, Filtration skid model 2: Not authorized",
        "Item 5, Filtration skid model 5: Reduced from 10 to 6 each",
    ]
    assert lines[3].startswith("Item 39, Filtration skid model 39: Reduced from 800 to 500 each (")
    assert items == [(1, "10"), (5, "6"), (39, "500")]
    assert rating.startswith("DO-")
    assert axe.problems == {}
    page.context.close()
