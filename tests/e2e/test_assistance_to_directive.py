"""Special priorities assistance in real browsers, end to end: a supplier rejects a rated order;
the manufacturer asks HHS for help from its order page; HHS intake takes the case in; a DX-level
approving official signs a directive; the supplier acknowledges it and the order is accepted
under it. Every step is in the audit trail and in the request's evidence bundle."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect

from audit.models import AuditEvent
from ratings.constants import OrderStatus
from ratings.models import AssistanceCase, Directive, RatedOrder
from ratings.services.requests import evidence
from tests.e2e.conftest import shoot, sign_in
from tests.factories import PASSWORD, make_cast, otp
from tests.ratings.casework import later, rejected_with_offer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
T = TypeVar("T")


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


def test_a_rejected_order_goes_to_a_directive_the_supplier_acknowledges(live_server, browser: Browser, tmp_path: Path):
    cast = make_cast()
    order = off_the_browser_thread(lambda: rejected_with_offer(cast))
    base = live_server.url

    # The manufacturer asks HHS for special priorities assistance from its order page
    page = sign_in(browser, base, cast.applicant.username)
    page.goto(f"{base}/portal/placed/{order.order_number}/")
    expect(page.get_by_test_id("order-status")).to_have_text("Rejected by the supplier")
    page.get_by_test_id("open-case").click()
    page.click("label:has-text('The supplier rejected the order')")  # USWDS radios are styled labels
    page.click("label:has-text('Urgent (program dates at risk)')")
    page.fill("#id_tried", "Called the plant manager twice; no earlier slot.")
    page.fill("#id_impact", "The vaccine fill line stops on the needed date.")
    page.fill("#id_needed_dates", later(60).isoformat())
    page.click("button:has-text('Send the request to HHS')")
    case = AssistanceCase.objects.get()
    expect(page.get_by_test_id(f"case-{case.reference}")).to_contain_text("Open (waiting for HHS intake)")
    shoot(page, "assistance-1-opened-by-the-manufacturer")
    page.context.close()

    # HHS intake takes it in and names the case officer
    page = sign_in(browser, base, cast.intake.username)
    page.goto(f"{base}/admin/ratings/assistancecase/{case.pk}/change/")
    page.click("text=Take in and name the case officer")
    page.select_option("#id_case_officer", str(cast.intake.pk))
    page.click("input[value=Confirm]")
    expect(page.locator(".messagelist")).to_contain_text("done")
    page.context.close()

    # A DX-level approving official signs the directive (password and authenticator code)
    page = sign_in(browser, base, cast.secretary.username)
    page.goto(f"{base}/admin/ratings/assistancecase/{case.pk}/change/")
    page.click("text=Issue a directive (signature)")
    page.select_option("#id_requirement", "accept_order")
    page.fill("#id_terms", f"Accept rated order {order.order_number} and deliver on its required dates.")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(cast.secretary))
    page.click("input[value=Confirm]")
    expect(page.locator(".messagelist")).to_contain_text("done")
    directive = Directive.objects.get()
    shoot(page, "assistance-2-directive-signed")
    page.context.close()

    # The supplier acknowledges it on its order page; the order is accepted under the directive
    page = sign_in(browser, base, cast.supplier.username)
    page.goto(f"{base}/portal/orders/{order.order_number}/")
    block = page.get_by_test_id(f"directive-{directive.number}")
    expect(block).to_contain_text(cast.secretary.printed_name)
    block.locator("label:has-text('We received this directive')").click()
    block.locator("button:has-text('Acknowledge the directive')").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Accepted by the supplier")
    expect(page.get_by_test_id("directive-acknowledged")).to_contain_text(cast.supplier.printed_name)
    shoot(page, "assistance-3-directive-acknowledged")
    page.context.close()

    assert RatedOrder.objects.get(pk=order.pk).status == OrderStatus.ACCEPTED
    steps = [
        "rated_order.reject",
        "assistance_case.open",
        "assistance_case.take",
        "directive.issue",
        "directive.acknowledge",
    ]
    trail = list(
        AuditEvent.objects.filter(action__in=steps, outcome="success")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert trail == steps

    out = tmp_path / "bundle.zip"
    evidence.rating_request_bundle(reference=order.source_request.reference, out=out)
    with zipfile.ZipFile(out) as bundle:
        bundled = [json.loads(line)["action"] for line in bundle.read("events.jsonl").decode().splitlines()]
        record = json.loads(bundle.read("request.json"))
    assert [action for action in bundled if action in steps] == steps
    assert [c["fields"]["reference"] for c in record["assistance_cases"]] == [case.reference]
    assert [d["fields"]["number"] for d in record["directives"]] == [directive.number]
