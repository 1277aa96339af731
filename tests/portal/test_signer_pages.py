"""What an authorized signer of rated orders finds in the portal once the orders are placed: its
organization's authorizations on the home page, and on each placed order the signed document."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ratings.constants import RequestState
from ratings.models import RatingAuthorization
from tests.factories import request_in_state
from tests.portal.conftest import login

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
