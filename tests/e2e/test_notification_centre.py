"""The notification centre in Chromium, on the demo scenario: the header counts the unread
notices, the summaries lead each recipient to its own page (no login wall, no "not authorized"),
marking one read and then all read brings the count down to nothing; axe-core finds nothing
serious on the page. Screenshots in test-artifacts/."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Page, expect

from ratings.constants import NotificationKind
from ratings.models import Notification, User
from tests.e2e.conftest import Axe, shoot, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
    for username in ("applicant", "supplier"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()


def unread_of(username: str) -> int:
    return Notification.objects.filter(recipient__username=username, read_at__isnull=True).count()


def open_from_the_centre(page: Page, base: str, notice: Notification) -> None:
    """Click the notice's summary in the centre and land on its page, signed in."""
    page.goto(f"{base}/notifications/?kind={notice.kind}")
    page.get_by_role("link", name=notice.subject, exact=True).first.click()
    page.wait_for_load_state()
    assert page.url == f"{base}{notice.path}", page.url
    assert "/accounts/login/" not in page.url
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("not authorized")


def test_the_centre_counts_links_and_marks_read(browser, live_server, demo, axe: Axe):
    base = live_server.url
    unread = unread_of("applicant")
    assert unread > 10

    # The header of the home page counts the applicant's unread notices.
    page = sign_in(browser, base, "applicant")
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread))
    page.get_by_test_id("notification-centre").click()
    expect(page.locator("h1")).to_have_text("Notifications")
    expect(page.get_by_role("navigation", name="Primary")).to_contain_text("My organization’s requests")
    expect(page.locator("body")).not_to_contain_text("Do not reply")
    axe.check(page)
    shoot(page, "notifications-01-centre")

    # Each kind of notice the applicant holds leads to the applicant's own page.
    applicant = User.objects.get(username="applicant")
    for kind in (
        NotificationKind.PLACED_ORDER_CHANGED,
        NotificationKind.ORDER_RESPONSE,
        NotificationKind.REQUEST_DECISION,
        NotificationKind.ASSISTANCE_UPDATE,
    ):
        notice = Notification.objects.filter(recipient=applicant, kind=kind).first()
        assert notice is not None, kind
        open_from_the_centre(page, base, notice)
    shoot(page, "notifications-02-a-notice-opened")

    # Marking one read takes one off the count; marking all read leaves none.
    page.goto(f"{base}/notifications/?show=unread")
    page.get_by_role("button", name="Mark read").first.click()
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread - 1))
    expect(page).to_have_url(f"{base}/notifications/?show=unread")
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.get_by_test_id("unread-summary")).to_have_text("Nothing unread. E-mail preferences")
    assert unread_of("applicant") == 0
    axe.check(page)
    shoot(page, "notifications-03-all-read")
    page.context.close()

    # The supplier's order notice opens the supplier's order page.
    page = sign_in(browser, base, "supplier")
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread_of("supplier")))
    notice = Notification.objects.filter(recipient__username="supplier", kind=NotificationKind.ORDER_ISSUED).first()
    assert notice is not None
    open_from_the_centre(page, base, notice)
    expect(page.locator("h1")).to_contain_text(notice.subject.split(":")[0])
    shoot(page, "notifications-04-supplier-order")
    page.goto(f"{base}/portal/")
    axe.check(page)
    shoot(page, "notifications-05-supplier-home")
    page.context.close()

    assert axe.problems == {}
