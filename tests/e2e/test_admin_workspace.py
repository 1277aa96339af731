"""HHS staff in a real browser: each role's work queue holds exactly what it must act on (checked
against the database), each decision is completed on the page the queue links to, and a request
returned for correction comes back with the changes shown to the reviewer. Screenshots at 1280 px,
no sideways scrolling, and axe-core on every admin page visited.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from audit.models import AuditEvent
from ratings.constants import RatingLevel, RequestState
from ratings.demo import accounts as demo
from ratings.models import RatingRequest
from ratings.services.accounts import conflicts
from ratings.services.requests import workflow
from tests.e2e.conftest import Axe, shoot
from tests.e2e.conftest import sign_in as shared_sign_in
from tests.factories import PASSWORD, Cast, make_cast, otp, request_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
S = RequestState
WIDTH = 1280
T = TypeVar("T")


def sign_in(browser: Browser, base: str, username: str) -> Page:
    return shared_sign_in(browser, base, username, width=WIDTH)


def off_the_browser_thread(work: Callable[[], T]) -> T:
    done: list[T] = []

    def run() -> None:
        try:
            done.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return done[0]


def fits(page: Page) -> None:
    """Nothing scrolls sideways: neither the page nor the changelist's results."""
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), page.url
    assert page.evaluate("[...document.querySelectorAll('.results')].every(el => el.scrollWidth <= el.clientWidth)"), (
        page.url
    )


def queue_refs(page: Page, key: str) -> list[str]:
    return sorted(
        page.locator(f"[data-testid=queue-{key}] tr[data-reference]").evaluate_all(
            "rows => rows.map(r => r.dataset.reference)"
        )
    )


def refs(queryset) -> list[str]:
    return sorted(queryset.values_list("reference", flat=True))


def staff_cast() -> Cast:
    cast = make_cast()
    groups = demo.groups_ensure()
    for user in (
        cast.intake,
        cast.reviewer,
        cast.reviewer2,
        cast.approver,
        cast.secretary,
        cast.hhsadmin,
        cast.auditor,
    ):
        for membership in user.memberships.all():
            user.groups.add(groups[demo.ROLE_GROUP[membership.role]])
    return cast


def caseload(cast: Cast) -> None:
    """Work in every HHS state; one review overdue; reviewer2 conflicted with the second manufacturer."""
    request_in_state(cast, S.SUBMITTED)
    request_in_state(cast, S.IN_REVIEW)
    request_in_state(cast, S.INFO_REQUESTED)
    request_in_state(cast, S.RECOMMENDED)
    request_in_state(cast, S.RECOMMENDED, level=RatingLevel.DX)
    late = workflow.rating_request_accept_for_review(
        rating_request=request_in_state(cast, S.SUBMITTED), actor=cast.intake, reviewer=cast.reviewer2
    )
    RatingRequest.objects.filter(pk=late.pk).update(submitted_at=timezone.now() - dt.timedelta(days=30))
    conflicts.conflict_of_interest_declare(
        actor=cast.intake, staff_member=cast.reviewer2, organization=cast.manufacturer2, reason="Former employer."
    )


def test_each_hhs_role_finds_its_work_on_the_home_and_decides_from_the_page_it_links_to(browser, live_server, axe: Axe):
    cast = staff_cast()
    caseload(cast)
    base = live_server.url

    # Intake: the submitted requests, and nothing else to act on.
    page = sign_in(browser, base, cast.intake.username)
    expect(page.locator("h1")).to_have_text("Work queue")
    submitted = RatingRequest.objects.filter(state=S.SUBMITTED)
    assert queue_refs(page, "intake") == refs(submitted)
    expect(page.locator("[data-testid=count-intake]")).to_have_text(str(submitted.count()))
    expect(page.locator("[data-testid=overdue-reviews] tr[data-reference]")).to_have_count(1)
    expect(page.locator("[data-testid=team] tr[data-reviewer]")).to_have_count(2)
    fits(page)
    axe.check(page)
    shoot(page, "20-admin-home")
    target = submitted.get()
    page.locator(f"[data-testid=queue-intake] tr[data-reference='{target.reference}'] a.queue-action").click()
    expect(page).to_have_url(f"{base}/admin/ratings/ratingrequest/{target.pk}/act/accept_for_review/")
    expect(page.locator("[data-testid=case-items]")).to_contain_text("PO-1")
    fits(page)
    axe.check(page)
    page.select_option("#id_reviewer", str(cast.reviewer.pk))
    page.click("#transition-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text(f"Request {target.reference} accepted for review")
    assert RatingRequest.objects.get(pk=target.pk).state == S.IN_REVIEW
    page.goto(f"{base}/admin/ratings/ratingrequest/")
    fits(page)
    axe.check(page)
    shoot(page, "22-admin-changelist")
    page.context.close()

    # Reviewer: the reviews assigned to them; recommends on the page the queue links to.
    page = sign_in(browser, base, cast.reviewer.username)
    mine = RatingRequest.objects.filter(assigned_reviewer=cast.reviewer)
    assert queue_refs(page, "review") == refs(mine.filter(state=S.IN_REVIEW))
    assert queue_refs(page, "waiting") == refs(mine.filter(state=S.INFO_REQUESTED))
    expect(page.locator("[data-testid=count-review]")).to_have_text(str(mine.filter(state=S.IN_REVIEW).count()))
    page.locator(f"[data-testid=queue-review] tr[data-reference='{target.reference}'] a.queue-action").click()
    expect(page.locator("#decision-heading")).to_have_text("Recommend a decision")
    expect(page.locator("input[name=outcome]:checked")).to_have_count(0)
    axe.check(page)
    for label in page.locator(".ws-choice label").all():
        label.click()
    page.check("#id_outcome_0")
    page.fill("#id_rationale", "Eligible resource; need documented; supports the program.")
    page.click("#transition-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("recommended")
    assert RatingRequest.objects.get(pk=target.pk).state == S.RECOMMENDED
    page.context.close()

    # Approving official (DO): the DO recommendations they did not review; approves and signs there.
    page = sign_in(browser, base, cast.approver.username)
    decidable = RatingRequest.objects.filter(state=S.RECOMMENDED, requested_level=RatingLevel.DO)
    assert queue_refs(page, "decide") == refs(decidable)
    expect(page.locator("[data-testid=count-decide]")).to_have_text(str(decidable.count()))
    page.locator(f"[data-testid=queue-decide] tr[data-reference='{target.reference}'] a.queue-action").click()
    expect(page.locator("[data-testid=signature-meaning]")).to_contain_text("Approved: authorizes the priority rating")
    expect(page.locator("[data-testid=case-checklist]")).to_contain_text("Holds")
    preview = page.locator("[data-testid=order-previews] a").first.get_attribute("href")
    response = page.request.get(f"{base}{preview}")
    assert response.headers["content-type"] == "application/pdf" and response.body()[:5] == b"%PDF-"
    fits(page)
    axe.check(page)
    shoot(page, "21-decision-approve")
    page.fill("#id_reason", "Meets every criterion.")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(cast.approver))
    page.click("#transition-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("approved")
    assert RatingRequest.objects.get(pk=target.pk).state == S.ISSUED
    page.context.close()

    # The Secretary decides DX too.
    page = sign_in(browser, base, cast.secretary.username)
    assert queue_refs(page, "decide") == refs(RatingRequest.objects.filter(state=S.RECOMMENDED))
    page.context.close()

    # HHS administrator and auditor take no workflow action (separation of duties); the auditor
    # lands on the audit trail and finds an empty queue in the admin.
    for user in (cast.hhsadmin, cast.auditor):
        page = sign_in(browser, base, user.username)
        if user == cast.auditor:
            expect(page).to_have_url(f"{base}/audit/")
            page.goto(f"{base}/admin/")
        expect(page.locator("[data-testid=my-action-count]")).to_have_text("Nothing waits for your action.")
        assert page.locator("[data-testid^=queue-]").count() == 0
        fits(page)
        axe.check(page)
        page.context.close()

    print("axe problems", axe.problems)
    assert axe.problems == {}
    assert min(axe.rules_passed.values()) > 10


def test_a_returned_request_is_corrected_resubmitted_and_the_reviewer_sees_the_diff(browser, live_server, axe: Axe):
    cast = staff_cast()
    rr = request_in_state(cast, S.IN_REVIEW)
    base = live_server.url

    # The reviewer returns it from the request's page.
    page = sign_in(browser, base, cast.reviewer.username)
    page.click(f"text={rr.reference}")
    page.click("a.transition-return_for_correction")
    page.fill("#id_reason", "Item 1: the quantity must match the supplier's quote (12).")
    page.click("#transition-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("returned to the applicant for correction")
    page.context.close()

    # The applicant is told on the home page, corrects item 1 and resubmits.
    page = sign_in(browser, base, cast.applicant.username)
    page.click(f"#returned-heading ~ table >> text={rr.reference}")
    expect(page.locator("[data-testid=returned]")).to_contain_text("must match the supplier")
    axe.check(page)
    page.click("a.usa-button:has-text('Correct the request')")
    page.click("button:has-text('Save and continue')")
    page.fill("#id_items-0-quantity", "12")
    page.click("button:has-text('Save and continue')")
    page.click("button:has-text('Save and continue')")
    expect(page.locator("h1")).to_contain_text("Attachments")
    page.click("button:has-text('Continue to review')")
    expect(page.locator("[data-testid=returned]")).to_contain_text("What HHS asked you to correct")
    axe.check(page)
    page.fill("#id_typed_name", "Alice Applicant")
    page.click("label[for=id_certify]")
    page.fill("#id_note", "Quantity is 12, as quoted.")
    page.click("button:has-text('Certify and resubmit to HHS')")
    expect(page.locator("[data-testid=status]")).to_have_text("In review")
    page.context.close()

    # The reviewer sees what changed, field by field.
    page = sign_in(browser, base, cast.reviewer.username)
    page.click(f"text={rr.reference}")
    diff = page.locator("[data-testid=submission-diff]")
    expect(diff).to_contain_text("Quantity")
    expect(diff.locator("del")).to_have_text("10")
    expect(diff.locator("ins")).to_have_text("12")
    expect(page.locator("#changes ~ p").first).to_contain_text("Quantity is 12, as quoted.")
    fits(page)
    axe.check(page)
    shoot(page, "23-admin-what-changed")
    page.context.close()

    loop = list(
        AuditEvent.objects.filter(reference=rr.reference, outcome="success")
        .order_by("sequence")
        .values_list("action", "actor__username")
    )
    # Unchanged steps write nothing; the corrected items and the new certification do.
    assert loop[-3:] == [
        ("rating_request.return_for_correction", cast.reviewer.username),
        ("rating_request.set_line_items", cast.applicant.username),
        ("rating_request.resubmit", cast.applicant.username),
    ]
    print("axe problems", axe.problems)
    assert axe.problems == {}


def test_every_admin_list_and_page_fits_1280_px(browser, live_server, axe: Axe):
    """The workflow's pages pass axe too; the user page is Django's own account form (its
    split date and permission widgets are checked for width only)."""
    cast = staff_cast()
    caseload(cast)
    # Approval signs documents with pyHanko (asyncio.run), which cannot run in this thread while
    # Playwright's loop is open: approve in a thread of its own, as the live server would.
    approved = off_the_browser_thread(lambda: request_in_state(cast, S.ISSUED))
    order = approved.rated_orders.get()
    base = live_server.url
    pages = {
        cast.intake: [
            "/admin/ratings/ratingrequest/",
            f"/admin/ratings/ratingrequest/{approved.pk}/change/",
            "/admin/ratings/ratedorder/",
            f"/admin/ratings/ratedorder/{order.pk}/change/",
            "/admin/ratings/conflictofinterest/",
            "/admin/ratings/conflictofinterest/add/",
            "/admin/ratings/notification/preferences/",
        ],
        cast.hhsadmin: [
            "/admin/ratings/notification/",
            "/admin/ratings/user/",
            f"/admin/ratings/user/{cast.reviewer.pk}/change/",
            "/admin/ratings/organization/",
        ],
    }
    for user, paths in pages.items():
        page = sign_in(browser, base, user.username)
        for path in paths:
            page.goto(f"{base}{path}")
            expect(page.locator("#content")).to_be_visible()
            fits(page)
            if not ("/user/" in path and path.endswith("/change/")):
                axe.check(page)
        page.context.close()
    print("axe problems", axe.problems)
    assert axe.problems == {}
