"""Where HHS itself is the customer, in a real browser (45 CFR 101.32(a)(3)): the approving
official signs HHS's customer authorization in the admin, then HHS's authorized signer places and
signs the rated order from the authorization's page. Screenshots, axe-core on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, expect

from ratings.clock import agency_today
from ratings.constants import Role
from ratings.models import RatedOrder, RatingAuthorization
from tests.e2e.conftest import Axe, shoot, sign_in
from tests.factories import PASSWORD, make_cast, member, otp
from tests.ratings.hhs_customer.conftest import HHS_CONTRACT, designate_hhs_signer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hhs_customer_authorization_signed_and_order_placed_in_the_admin(browser: Browser, live_server, axe: Axe):
    cast = make_cast()
    signer = designate_hhs_signer(cast, member(cast.hhs, Role.REVIEWER, first_name="Carla", last_name="Contracting"))
    base = live_server.url
    today = agency_today()

    # The approving official signs HHS's customer authorization.
    page = sign_in(browser, base, cast.approver.username)
    page.goto(f"{base}/admin/ratings/ratingauthorization/")
    page.click("text=HHS customer authorization")
    page.select_option("#id_program", str(cast.program.pk))
    page.fill("#id_hhs_contract", HHS_CONTRACT)
    page.select_option("#id_items-0-supplier", str(cast.supplier_org.pk))
    page.fill("#id_items-0-description", "Single-use fill pump")
    page.fill("#id_items-0-part_number", "FP-9")
    page.fill("#id_items-0-quantity", "40")
    page.fill("#id_items-0-unit", "each")
    page.fill("#id_items-0-ship_to", "Strategic National Stockpile, Site 4")
    page.fill("#id_items-0-window_start", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#id_items-0-window_end", (today + dt.timedelta(days=90)).isoformat())
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(cast.approver))
    axe.check(page)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shoot(page, "hhs-customer-authorization-form")
    page.click("#hhs-customer-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("Customer authorization")
    authorization = RatingAuthorization.objects.get()
    assert (authorization.hhs_contract, authorization.authorized_party_id) == (HHS_CONTRACT, cast.hhs.pk)
    # the official who signed it is offered no "place" action (separation of duties)
    assert page.locator("text=Place rated order with").count() == 0
    page.context.close()

    # HHS's authorized signer places and signs the order from the authorization's page.
    page = sign_in(browser, base, signer.username)
    page.goto(f"{base}/admin/ratings/ratingauthorization/{authorization.pk}/change/")
    axe.check(page)
    shoot(page, "hhs-customer-authorization-page")
    page.click("text=Place rated order with Filtra Corp")
    page.fill("#id_date_1", (today + dt.timedelta(days=60)).isoformat())
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp", otp(signer))
    axe.check(page)
    shoot(page, "hhs-customer-place-order")
    page.click("#hhs-customer-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("placed and signed for HHS")
    order = RatedOrder.objects.get()
    assert (order.placing_organization_id, order.authorization_id, order.source_request_id) == (
        cast.hhs.pk,
        authorization.pk,
        None,
    )
    assert order.versions.get().signatures.get().signer_id == signer.pk
    shoot(page, "hhs-customer-order-page")
    page.context.close()

    print("axe problems", axe.problems)
    assert axe.problems == {}
