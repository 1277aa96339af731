"""A manufacturer prepares, leaves, comes back, certifies and submits; HHS approves in the admin
(a signed rating authorization); the manufacturer's authorized signer places and signs the rated
orders; the supplier opens its order and accepts it; the manufacturer downloads the signed order.

axe-core checks every portal page on the way (no serious or critical violation allowed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from ratings.constants import RequestState
from ratings.demo import accounts as demo
from ratings.models import RatedOrder, RatingAuthorization, RatingRequest
from tests.e2e.conftest import Axe, CspWatch, shoot
from tests.e2e.conftest import sign_in as shared_sign_in
from tests.factories import PASSWORD, make_cast, otp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


CSP = CspWatch()


def sign_in(browser: Browser, base: str, username: str) -> Page:
    return shared_sign_in(browser, base, username, csp=CSP)


def admin_transition(browser: Browser, base: str, username: str, rr: RatingRequest, action: str, fill) -> None:
    page = sign_in(browser, base, username)
    expect(page).to_have_url(f"{base}/admin/")
    page.goto(f"{base}/admin/ratings/ratingrequest/{rr.pk}/change/")
    page.click(f"a.transition-{action}")
    fill(page)
    page.click("#transition-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text(f"Request {rr.reference}")
    page.context.close()


def test_manufacturer_request_through_hhs_approval(browser, live_server, axe: Axe, tmp_path: Path):
    cast = make_cast()
    groups = demo.groups_ensure()
    for user in (cast.intake, cast.reviewer, cast.approver):
        user.groups.add(groups["HHS workflow staff"])
    base = live_server.url
    due1 = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    due2 = (timezone.localdate() + dt.timedelta(days=60)).isoformat()

    # The applicant signs in: the home page says what needs their action.
    page = sign_in(browser, base, cast.applicant.username)
    expect(page.locator("h1")).to_have_text("What needs your action")
    axe.check(page)
    shoot(page, "01-home")

    # Step 1: applicant and program.
    page.click("text=Start a new request")
    axe.check(page)
    # Saving an empty step shows each error beside its field (and that page passes axe too).
    page.click("button:has-text('Save and continue')")
    expect(page.locator(".usa-error-message")).to_have_count(4)
    axe.check(page)
    page.fill("#id_government_program", "Pandemic vaccine production")
    page.fill("#id_contract_number", "75A50123C00042")
    page.fill("#id_contracting_agency", "BARDA")
    page.fill("#id_contracting_officer", "Carla Contracting, 202-555-0147")
    page.select_option("#id_fda_status", "bla")
    page.fill("#id_fda_number", "BLA 125742")
    page.fill("#id_health_resource", "mRNA vaccine")
    page.select_option("#id_category", "vaccine")
    page.select_option("#id_program", str(cast.program.pk))
    shoot(page, "02-step-applicant-program")
    page.click("button:has-text('Save and continue')")

    # Step 2: two line items; the second row comes from "Add another item" (no JavaScript needed).
    expect(page.locator("h1")).to_contain_text("Line items")
    axe.check(page)
    page.select_option("#id_items-0-supplier", str(cast.supplier_org.pk))
    page.fill("#id_items-0-po_number", "PO-4471")
    page.fill("#id_items-0-description", "Single-use filtration skid")
    page.fill("#id_items-0-part_number", "FS-200")
    page.fill("#id_items-0-quantity", "4")
    page.fill("#id_items-0-unit", "each")
    page.fill("#id_items-0-required_dates", f"{due1}, {due2}")
    page.fill("#id_items-0-quoted_date", due2)
    page.fill("#id_items-0-order_value", "250000")
    page.click("button:has-text('Add another item')")
    expect(page.locator("[data-testid=line-item]")).to_have_count(2)
    expect(page.locator("#id_items-0-po_number")).to_have_value("PO-4471")
    page.select_option("#id_items-1-supplier", str(cast.supplier_org2.pk))
    page.fill("#id_items-1-po_number", "PO-9902")
    page.fill("#id_items-1-description", "Peristaltic fill pump")
    page.fill("#id_items-1-quantity", "2")
    page.fill("#id_items-1-unit", "each")
    page.fill("#id_items-1-required_dates", due1)
    shoot(page, "03-step-line-items")
    page.click("button:has-text('Save and continue')")

    # Step 3: justification.
    expect(page.locator("h1")).to_contain_text("Justification")
    axe.check(page)
    page.fill("#id_end_use", "Doses for the Strategic National Stockpile.")
    page.fill("#id_justification_need", "Filtration skids for the fill line of the pandemic vaccine.")
    page.fill("#id_justification_efforts", "Asked three suppliers; earliest unrated delivery is in nine months.")
    page.fill("#id_justification_impact", "Two million doses a week deferred.")
    page.click("button:has-text('Save and continue')")

    # Step 4: an attachment, then save the draft and leave.
    expect(page.locator("h1")).to_contain_text("Attachments")
    expect(page.locator("#accepted-types")).to_contain_text("PDF, PNG, JPEG, CSV, XLSX or DOCX")
    axe.check(page)
    quote = tmp_path / "supplier-quote.pdf"
    quote.write_bytes(PDF)
    page.set_input_files("#id_file", str(quote))
    page.click("button:has-text('Upload file')")
    expect(page.locator("[data-testid=attachments]")).to_contain_text("supplier-quote.pdf")
    page.click("button:has-text('Save draft and exit')")
    expect(page.locator("[data-testid=status]")).to_have_text("Draft")
    axe.check(page)
    rr = RatingRequest.objects.get()
    assert (rr.line_items.count(), rr.attachments.count()) == (2, 1)
    page.click("button:has-text('Sign out')")
    page.context.close()

    # The applicant comes back: the draft waits on the home page; review, certify, submit.
    page = sign_in(browser, base, cast.applicant.username)
    page.click(f"text={rr.reference}")
    page.click("text=Review and certify")
    expect(page.locator("[data-testid=false-statement-warning]")).to_contain_text("18 U.S.C. 1001")
    axe.check(page)
    shoot(page, "04-review-and-certify")
    page.fill("#id_typed_name", "Alice Applicant")
    page.click("label[for=id_certify]")
    expect(page.locator("#id_certify")).to_be_checked()
    page.click("button:has-text('Certify and submit to HHS')")
    expect(page.locator("[data-testid=status]")).to_have_text("Submitted")
    page.goto(f"{base}/portal/requests/{rr.pk}/withdraw/")
    axe.check(page)
    page.goto(f"{base}/portal/requests/")
    axe.check(page)
    shoot(page, "05-request-list")
    page.context.close()

    # HHS: intake accepts and assigns, the reviewer asks a question.
    admin_transition(
        browser,
        base,
        cast.intake.username,
        rr,
        "accept_for_review",
        lambda p: p.select_option("#id_reviewer", str(cast.reviewer.pk)),
    )
    admin_transition(
        browser,
        base,
        cast.reviewer.username,
        rr,
        "request_information",
        lambda p: p.fill("#id_question", "Please send the supplier's written delivery estimate."),
    )

    # The applicant answers in the portal.
    page = sign_in(browser, base, cast.applicant.username)
    expect(page.locator("#questions-heading")).to_be_visible()
    page.click(f"text={rr.reference}")
    axe.check(page)
    shoot(page, "06-question-from-hhs")
    page.fill("#id_response", "Estimate attached: earliest unrated delivery in nine months.")
    page.click("button:has-text('Send answer')")
    expect(page.locator("[data-testid=status]")).to_have_text("In review")
    page.context.close()

    # The reviewer recommends approval; the approving official approves and signs with the password.
    def recommend(p: Page) -> None:
        p.check("#id_outcome_0")  # "Approve"; nothing is pre-selected
        p.fill("#id_rationale", "Eligible health resource; need documented.")
        for box in p.locator("input[type=checkbox][id^=id_check_]").all():
            box.check()

    admin_transition(browser, base, cast.reviewer.username, rr, "recommend", recommend)

    def approve(p: Page) -> None:
        # The signature: the password and a fresh authenticator code (21 CFR 11.200).
        p.fill("#id_reason", "Approved under the ASPR delegation.")
        p.fill("#id_password", PASSWORD)
        p.fill("#id_otp", otp(cast.approver))

    admin_transition(browser, base, cast.approver.username, rr, "approve", approve)
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.ISSUED

    # The applicant sees the decision on the request's page, with the timeline.
    page = sign_in(browser, base, cast.applicant.username)
    page.goto(f"{base}/portal/requests/{rr.pk}/")
    expect(page.locator("[data-testid=status]")).to_have_text("Authorized (rating authorization signed)")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("HHS approving official")
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    expect(page.locator("[data-testid=authorization-link]")).to_contain_text(authorization.number)
    axe.check(page)
    shoot(page, "07-request-approved")
    page.context.close()

    # Acme's authorized signer places and signs one rated order per supplier under the
    # authorization (45 CFR 101.32(a)(3)): pre-filled as authorized, their own PO number.
    page = sign_in(browser, base, cast.signer.username)
    expect(page.locator("[data-testid=awaiting-placement]")).to_contain_text(authorization.number)
    page.click(f"text={authorization.number}")
    expect(page.locator("[data-testid=slot]")).to_have_count(2)
    axe.check(page)
    shoot(page, "07a-authorization")
    for po in ("ACME-PO-1001", "ACME-PO-1002"):
        page.click("[data-testid=place-order] >> nth=0")
        expect(page.locator("h1")).to_contain_text("Place a rated order with")
        axe.check(page)
        page.fill("#id_po_number", po)
        page.fill("#id_password", PASSWORD)
        shoot(page, f"07b-place-{po}")
        page.click("button:has-text('Sign and place the rated order')")
        expect(page.locator("h1")).to_contain_text("Rated order HHS-DPA-")
        page.goto(f"{base}/portal/authorizations/{authorization.number}/")
    expect(page.locator("[data-testid=place-order]")).to_have_count(0)
    page.context.close()

    # The supplier signs in: the order waits on its home page, with its due date and days left.
    order = RatedOrder.objects.get(source_request=rr, supplier=cast.supplier_org)
    page = sign_in(browser, base, cast.supplier.username)
    expect(page.locator("[data-testid=awaiting-orders]")).to_contain_text(order.order_number)
    expect(page.locator("[data-testid=awaiting-orders]")).to_contain_text("15")
    axe.check(page)
    page.click("text=Rated orders")
    expect(page.locator("h1")).to_have_text("Rated orders addressed to your organization")
    axe.check(page)
    shoot(page, "08-supplier-orders")
    page.click(f"text={order.order_number}")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Issued")
    expect(page.locator("[data-testid=order-documents]")).to_contain_text("version 1")
    axe.check(page)
    shoot(page, "09-supplier-order")
    # The rejection page (reasons, earliest date, counter-offer) is one click away; back, and accept.
    page.click("text=Reject, or offer the earliest date you can meet")
    expect(page.locator("legend").first).to_contain_text("Reason for rejecting")
    axe.check(page)
    shoot(page, "10-supplier-reject")
    page.click("text=Back to the order")
    page.click("label[for=id_confirm]")
    page.click("button:has-text('Accept the order')")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Accepted by the supplier")
    expect(page.locator("[data-testid=responses]")).to_contain_text("signed by")
    axe.check(page)
    shoot(page, "11-supplier-order-accepted")
    page.click("text=Notify a delay")
    axe.check(page)
    page.click("text=Back to the order")
    page.click("text=Record an order extended to your supplier")
    axe.check(page)
    page.context.close()

    # The manufacturer sees the supplier's acceptance and downloads the signed order (a PDF).
    page = sign_in(browser, base, cast.applicant.username)
    page.goto(f"{base}/portal/requests/{rr.pk}/")
    expect(page.locator("[data-testid=rating-orders]")).to_contain_text("Accepted by the supplier")
    expect(page.locator("[data-testid=order-answer]").first).to_contain_text(f"by {cast.supplier.printed_name}")
    with page.expect_download() as info:
        page.click(f"[data-testid=order-download]:has-text('{order.order_number}')")
    download = info.value
    assert download.suggested_filename == f"{order.order_number}-v1-order.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    page.context.close()

    # Pages reached without signing in.
    page = CSP.watch(browser.new_context().new_page())
    for path in ("/accounts/login/", "/accounts/password-reset/", "/"):
        page.goto(f"{base}{path}")
        axe.check(page)
    shoot(page, "00-landing")
    page.context.close()

    print("axe: rules passed per page", axe.rules_passed, "minor/moderate violations", axe.minor)
    assert CSP.violations == []
    assert axe.problems == {}
    assert min(axe.rules_passed.values()) > 10  # axe really ran on every page
    assert len(axe.checked) == 25
