"""Supplier pages are scoped to the supplier's organization: another supplier, a manufacturer or a
stranger changing the order number in the URL gets 404 and no data; nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ratings.constants import OrderStatus
from tests.factories import PASSWORD
from tests.helpers import events_after, last_sequence
from tests.portal.conftest import future, login
from tests.portal.orders import accepted, issue, order_snapshot

pytestmark = pytest.mark.django_db

ORDER_URLS = [
    "portal:order-detail",
    "portal:order-accept",
    "portal:order-reject",
    "portal:order-delay",
    "portal:order-fulfil",
    "portal:order-flowdown",
]
POST_ONLY = {"portal:order-accept", "portal:order-fulfil"}


def post_data(cast) -> dict[str, str]:
    return {
        "confirm": "on",
        "reason_code": "not_supplied",
        "explanation": "Not ours.",
        "reasons": "Strike.",
        "new_date": future(90),
        "sub_supplier": str(cast.supplier_org2.pk),
        "po_number": "SUB-1",
        "password": PASSWORD,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "20",
        "items-0-description": "Filtration skid",
        "items-0-quantity": "1",
        "items-0-unit": "each",
        "items-0-required_dates": future(20),
    }


@pytest.mark.parametrize("make", [issue, accepted], ids=["issued", "accepted"])
@pytest.mark.parametrize("name", ORDER_URLS)
def test_another_supplier_gets_404_and_nothing_changes(client, cast, name, make):
    # Given Filtra's order, and PumpCo's contact signed in
    order = make(cast)
    login(client, cast.supplier2)
    before = order_snapshot(order)
    url = reverse(name, args=[order.order_number])
    # When they open it or post every action's fields to it
    get = client.get(url)
    post = client.post(url, post_data(cast))
    # Then 404 (405 for a GET of a post-only action), none of the order's data, nothing changed
    assert (get.status_code, post.status_code) == (405 if name in POST_ONLY else 404, 404)
    body = get.content.decode() + post.content.decode()
    assert order.order_number not in body
    assert "Acme Vaccines" not in body
    assert order_snapshot(order) == before


@pytest.mark.parametrize("name", ORDER_URLS)
def test_the_placing_manufacturer_gets_404_on_supplier_pages(client, cast, name):
    order = issue(cast)
    login(client, cast.applicant)
    before = order_snapshot(order)
    response = client.post(reverse(name, args=[order.order_number]), post_data(cast))
    assert response.status_code == 404
    assert order_snapshot(order) == before


@pytest.mark.parametrize("user", ["applicant", "applicant2"])
def test_manufacturers_get_404_on_the_order_list(client, cast, user):
    login(client, getattr(cast, user))
    assert client.get(reverse("portal:order-list")).status_code == 404


@pytest.mark.parametrize("name", ["portal:request-list", "portal:request-create"])
def test_suppliers_get_404_on_manufacturer_pages(client, cast, name):
    login(client, cast.supplier)
    assert client.get(reverse(name)).status_code == 404


def test_an_unknown_order_number_is_404(client, cast):
    login(client, cast.supplier)
    assert client.get(reverse("portal:order-detail", args=["HHS-DPA-2026-999999"])).status_code == 404


def test_hhs_staff_are_sent_to_the_admin(client, cast):
    order = issue(cast)
    login(client, cast.approver)
    response = client.get(reverse("portal:order-detail", args=[order.order_number]))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_signed_out_visitors_are_asked_to_sign_in(client, cast):
    order = issue(cast)
    before = order_snapshot(order)
    url = reverse("portal:order-accept", args=[order.order_number])
    response = client.post(url, {"confirm": "on"})
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")
    assert order_snapshot(order) == before


def test_the_sub_tier_supplier_sees_only_its_own_order_not_the_parent(client, cast):
    # Given Filtra extended its order to PumpCo
    parent = accepted(cast)
    login(client, cast.supplier)
    data = post_data(cast)
    data["items-0-required_dates"] = parent.versions.get().items.get().required_dates[0]["date"]
    response = client.post(reverse("portal:order-flowdown", args=[parent.order_number]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    child = parent.children.get()
    client.logout()
    assert client.login(username=cast.supplier2.username, password=PASSWORD)
    # Then PumpCo opens the child order, and gets 404 on the parent
    assert client.get(reverse("portal:order-detail", args=[child.order_number])).status_code == 200
    assert client.get(reverse("portal:order-detail", args=[parent.order_number])).status_code == 404
    assert child.status == OrderStatus.ISSUED
    # And the manufacturer's request page lists its own order, not the supplier's sub-tier order
    client.logout()
    login(client, cast.applicant)
    page = client.get(reverse("portal:request-detail", args=[parent.source_request_id])).content.decode()
    assert (parent.order_number in page, child.order_number in page) == (True, False)


def test_another_supplier_cannot_download_the_order_document(client, cast, django_capture_on_commit_callbacks):
    # Given Filtra's order with its signed document
    order = issue(cast, capture=django_capture_on_commit_callbacks)
    login(client, cast.supplier2)
    before = last_sequence()
    # When PumpCo's contact asks for it: 404, and the attempt is audited as denied (one event)
    response = client.get(reverse("order-document-download", args=[order.order_number, 1]))
    assert response.status_code == 404
    assert [(e.action, e.outcome, e.actor_id) for e in events_after(before)] == [
        ("rated_order.document_download", "denied", cast.supplier2.pk)
    ]
