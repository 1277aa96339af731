"""What an authorized signer of rated orders finds in the portal once the orders are placed: its
organization's authorizations on the home page, and on each placed order the signed document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ratings.constants import RejectionReason, RequestState
from ratings.models import RatedOrder, RatingAuthorization
from ratings.services.items import DeliveryInput
from ratings.services.requests import workflow
from ratings.services.suppliers import responses
from tests.factories import PASSWORD, line_item, otp, request_in_state
from tests.portal.conftest import login
from tests.ratings.orders.conftest import recommended_with_items

pytestmark = pytest.mark.django_db

NOT_LINKED = "Your account is not linked to a manufacturer or supplier organization yet"


def test_a_signer_with_every_order_placed_finds_the_authorizations_not_a_not_linked_message(client, cast):
    # given an authorization whose every supplier already has its order placed by Acme's signer
    rr = request_in_state(cast, RequestState.ISSUED)
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    # when the signer opens the portal's home page
    login(client, cast.signer)
    response = client.get(reverse("portal:dashboard"))
    # then the page leads to the authorization (and the orders placed under it), and does not
    # claim the account belongs to no organization
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_LINKED not in page
    assert 'data-testid="awaiting-placement"' not in page
    link = reverse("portal:authorization-detail", args=[authorization.number])
    assert f'<a href="{link}">{authorization.number}</a>' in page


def test_an_account_with_no_organization_is_told_it_is_not_linked(client, cast, django_user_model):
    # given an account that belongs to no organization
    loner = django_user_model.objects.create_user(username="loner", password="dpa-demo-loner-pw")
    client.force_login(loner)
    # when it opens the home page
    response = client.get(reverse("portal:dashboard"))
    # then it is told so
    assert response.status_code == 200
    assert NOT_LINKED in response.content.decode()


def test_the_placed_orders_page_links_the_signed_order_document(client, cast, django_capture_on_commit_callbacks):
    # given an order Acme's signer placed, its signed document generated after commit
    with django_capture_on_commit_callbacks(execute=True):
        rr = request_in_state(cast, RequestState.ISSUED)
    order = rr.rated_orders.get()
    # when the signer opens the order's page as the placing party
    login(client, cast.signer)
    response = client.get(reverse("portal:placed-order", args=[order.order_number]))
    # then it links the signed order it placed
    assert response.status_code == 200
    link = reverse("order-document-download", args=[order.order_number, 1])
    assert f'href="{link}"' in response.content.decode()
    assert client.get(link).status_code == 200


def _authorized_split(cast) -> RatingAuthorization:
    """An authorization of 2,400 each, requested as 1,200 on each of two dates."""
    start = dt.date(2027, 1, 4)
    item = line_item(
        cast.supplier_org,
        quantity="2400",
        deliveries=[DeliveryInput(start, "1200"), DeliveryInput(start + dt.timedelta(days=40), "1200")],
    )
    rr = recommended_with_items(cast, [item])
    workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver))
    return RatingAuthorization.objects.get(rating_request=rr)


def test_the_placing_form_writes_split_deliveries_as_the_amendment_form_does_thousands_included(client, cast):
    # given an authorization split 1,200 + 1,200, and its signer on the placing form
    authorization = _authorized_split(cast)
    url = reverse("portal:authorization-place", args=[authorization.number, cast.supplier_org.pk])
    client.force_login(cast.signer)
    # then the form is pre-filled as the amendment form writes a split: "date: quantity"
    assert 'value="2027-01-04: 1200, 2027-02-13: 1200"' in client.get(url).content.decode()
    # when the signer types the quantities with thousands separators and signs
    post = {
        "version": authorization.version,
        "po_number": "ACME-9",
        "include_1": "on",
        "quantity_1": "2,400",
        "deliveries_1": "2027-01-04: 1,200, 2027-02-13: 1,200",
        "ship_to_1": "",
        "password": PASSWORD,
        "otp": "",
    }
    response = client.post(url, post)
    # then the order is placed with the split as typed
    assert response.status_code == 302
    order = RatedOrder.objects.get()
    assert order.versions.get().items_snapshot[0]["required_dates"] == [
        {"date": "2027-01-04", "quantity": "1200"},
        {"date": "2027-02-13", "quantity": "1200"},
    ]


def test_a_suppliers_rejection_waits_on_the_signers_home_page_who_may_amend_or_cancel_the_order(client, cast):
    rr = request_in_state(cast, RequestState.ISSUED)
    order = rr.rated_orders.get()
    responses.rated_order_reject(
        order=order, actor=cast.supplier, reason_code=RejectionReason.NOT_SUPPLIED, explanation="Not our item."
    )
    login(client, cast.signer)

    home = client.get(reverse("portal:dashboard")).content.decode()

    assert "Needs your attention" in home
    assert f'href="/portal/placed/{order.order_number}/">Rated order {order.order_number}</a>' in home
    assert "Filtra Corp rejected it: Not our item." in home
