"""An approving official revokes a rating authorization in a real browser (45 CFR 101.36(a)(1)):
the authorization's admin page with its orders and buttons, the signed form asking the reason,
password and authenticator code, a wrong password shown as a message with nothing changed, then
the signed revocation. Screenshots at 1280 px; axe-core on each page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ratings.constants import OrderStatus, RequestState
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import RatedOrder, RatingAuthorization
from tests.e2e.conftest import Axe, shoot
from tests.e2e.test_admin_workspace import fits, off_the_browser_thread, sign_in, staff_cast
from tests.factories import PASSWORD, otp, request_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOOK = Path(os.environ.get("AUTHORIZATION_SCREENSHOTS", "/tmp"))


def test_101_36_a_1_the_approving_official_revokes_an_authorization_in_the_admin(
    browser: Browser, live_server, axe: Axe
):
    base = live_server.url
    cast, authorization = off_the_browser_thread(
        lambda: (
            (c := staff_cast()),
            RatingAuthorization.objects.get(rating_request=request_in_state(c, RequestState.ISSUED)),
        )
    )
    page = sign_in(browser, base, cast.approver.username)
    page.goto(f"{base}/admin/ratings/ratingauthorization/{authorization.pk}/change/")
    expect(page.locator(".object-tools")).to_contain_text("Revoke")
    expect(page.locator(".object-tools")).to_contain_text("Amend validity or conditions")
    fits(page)
    axe.check(page)
    page.screenshot(path=str(LOOK / "authorization-admin.png"), full_page=True)

    # A wrong password: a clear message, the form kept, nothing revoked.
    page.click(".object-tools a:has-text('Revoke')")
    page.fill("#id_reason", "The emergency ended; the need no longer exists.")
    page.fill("#id_password", "not-my-password")
    page.fill("#id_otp", otp(cast.approver))
    page.click("#authorization-action-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("The password you entered is not correct")
    expect(page.locator("#id_reason")).to_have_value("The emergency ended; the need no longer exists.")
    axe.check(page)
    page.screenshot(path=str(LOOK / "authorization-revoke-refused.png"), full_page=True)
    assert off_the_browser_thread(lambda: RatingAuthorization.objects.get(pk=authorization.pk).status) == "active"

    # Signed: revoked, its order cancelled.
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(cast.approver))
    page.click("#authorization-action-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("revoked (version 2 signed)")
    shoot(page, "30-authorization-revoked")
    page.screenshot(path=str(LOOK / "authorization-revoked.png"), full_page=True)

    def stored() -> tuple[str, list[str]]:
        return (
            RatingAuthorization.objects.get(pk=authorization.pk).status,
            [o.status for o in RatedOrder.objects.filter(authorization_id=authorization.pk)],
        )

    assert off_the_browser_thread(stored) == (AuthorizationStatus.REVOKED, [OrderStatus.CANCELLED])
    assert axe.problems == {}
    page.context.close()
