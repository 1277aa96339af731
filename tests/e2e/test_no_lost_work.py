"""No lost work, in a real browser: two tabs on one draft never overwrite each other's change
without the user choosing, and a file chosen on the attachments step is never silently dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ratings.models import RatingRequest
from tests.e2e.conftest import Axe, sign_in
from tests.factories import draft_request, make_cast

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_two_tabs_on_one_draft_never_lose_either_change(browser, live_server, axe: Axe):
    cast = make_cast()
    rr = draft_request(cast)
    page = sign_in(browser, live_server.url, cast.applicant.username)
    url = f"{live_server.url}/portal/requests/{rr.pk}/edit/details/"
    first, second = page, page.context.new_page()
    first.goto(url)
    second.goto(url)

    # Tab 1 saves its change; tab 2, built from the same version, saves another.
    first.fill("#id_health_resource", "Changed in tab 1")
    first.click("button:has-text('Save and continue')")
    expect(first.locator("h1")).to_contain_text("Line items")
    second.fill("#id_contract_number", "Changed in tab 2")
    second.click("button:has-text('Save and continue')")

    # Tab 2 is refused and shows tab 1's value beside its own; its typing is still in the form.
    conflict = second.get_by_test_id("draft-conflict")
    expect(conflict).to_contain_text("Changed in tab 1")
    expect(second.locator("#id_contract_number")).to_have_value("Changed in tab 2")
    axe.check(second)

    # Clicking save again without choosing is refused again: tab 1's change survives.
    second.click("button:has-text('Save and continue')")
    expect(second.get_by_test_id("draft-conflict")).to_be_visible()
    assert RatingRequest.objects.get(pk=rr.pk).health_resource == "Changed in tab 1"

    # The user takes tab 1's value into their form and keeps their own change: both survive.
    second.fill("#id_health_resource", "Changed in tab 1")
    second.click("label[for=keep-mine]")
    second.click("button:has-text('Save and continue')")
    expect(second.locator("h1")).to_contain_text("Line items")
    saved = RatingRequest.objects.get(pk=rr.pk)
    assert (saved.health_resource, saved.contract_number) == ("Changed in tab 1", "Changed in tab 2")
    assert axe.problems == {}


def test_a_file_chosen_then_continue_is_uploaded_not_dropped(browser, live_server, tmp_path: Path):
    cast = make_cast()
    rr = draft_request(cast)
    upload = tmp_path / "supplier-quote.pdf"
    upload.write_bytes(PDF)
    page = sign_in(browser, live_server.url, cast.applicant.username)
    page.goto(f"{live_server.url}/portal/requests/{rr.pk}/edit/attachments/")

    page.set_input_files("#id_file", str(upload))
    page.click("button:has-text('Continue to review')")

    expect(page.locator("h1")).to_contain_text("Review and certify")
    expect(page.locator("body")).to_contain_text("supplier-quote.pdf")
    assert [a.original_name for a in rr.attachments.all()] == ["supplier-quote.pdf"]
