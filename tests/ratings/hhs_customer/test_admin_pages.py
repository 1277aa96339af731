"""The HHS staff pages where HHS itself is the customer (45 CFR 101.32(a)(3)): the approving
official signs the customer authorization in the admin; HHS's authorized signer places the order
from the authorization's page; errors come back on the form and change nothing."""

from __future__ import annotations

import datetime as dt

from ratings.clock import agency_today
from ratings.models import RatedOrder, RatingAuthorization
from tests.factories import PASSWORD, otp
from tests.ratings.hhs_customer.conftest import HHS_CONTRACT, customer_authorization


def _authorization_form(cast, **overrides):
    today = agency_today()
    data = {
        "program": str(cast.program.pk),
        "level": "DO",
        "hhs_contract": HHS_CONTRACT,
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-supplier": str(cast.supplier_org.pk),
        "items-0-description": "Single-use fill pump",
        "items-0-part_number": "FP-9",
        "items-0-quantity": "40",
        "items-0-unit": "each",
        "items-0-ship_to": "Strategic National Stockpile, Site 4",
        "items-0-window_start": (today + dt.timedelta(days=30)).isoformat(),
        "items-0-window_end": (today + dt.timedelta(days=90)).isoformat(),
        "password": PASSWORD,
        "otp": otp(cast.approver),
    }
    data.update(overrides)
    return data


def test_the_approving_official_signs_a_customer_authorization_in_the_admin(
    cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.approver)
    listing = client.get("/admin/ratings/ratingauthorization/")
    assert "/admin/ratings/ratingauthorization/hhs-customer/" in listing.content.decode()
    url = "/admin/ratings/ratingauthorization/hhs-customer/"
    assert client.get(url).status_code == 200

    # a past window is a form error; nothing is signed
    response = client.post(url, _authorization_form(cast, **{"items-0-window_start": "2020-01-01"}))
    assert response.status_code == 200
    assert "is in the past" in response.content.decode()
    assert RatingAuthorization.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _authorization_form(cast))
    authorization = RatingAuthorization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/ratings/ratingauthorization/{authorization.pk}/change/"
    assert (authorization.hhs_contract, authorization.authorized_party_id) == (HHS_CONTRACT, cast.hhs.pk)
    # the official who signed it is offered no "place" action (separation of duties)
    page = client.get(response["Location"]).content.decode()
    assert HHS_CONTRACT in page
    assert f"/admin/ratings/ratingauthorization/{authorization.pk}/place/" not in page


def test_hhs_signer_places_the_order_from_the_authorization_page(
    cast, client, hhs_signer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        authorization = customer_authorization(cast)
    client.force_login(hhs_signer)
    page = client.get(f"/admin/ratings/ratingauthorization/{authorization.pk}/change/").content.decode()
    url = f"/admin/ratings/ratingauthorization/{authorization.pk}/place/?supplier={cast.supplier_org.pk}"
    assert f'href="{url}"'.replace("&", "&amp;") in page and "Place rated order with Filtra Corp" in page
    assert client.get(url).status_code == 200
    due = (agency_today() + dt.timedelta(days=60)).isoformat()
    form = {"po_number": HHS_CONTRACT, "quantity_1": "41", "date_1": due, "version": "1"}

    # over the authorized quantity: a form error, nothing placed
    response = client.post(url, {**form, "password": PASSWORD, "otp": otp(hhs_signer)})
    assert response.status_code == 200
    assert "more than the authorization allows" in response.content.decode()
    assert RatedOrder.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**form, "quantity_1": "40", "password": PASSWORD, "otp": otp(hhs_signer)})
    order = RatedOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/ratings/ratedorder/{order.pk}/change/"
    assert (order.placing_organization_id, order.authorization_id) == (cast.hhs.pk, authorization.pk)
    assert order.versions.get().items_snapshot[0]["required_dates"] == [{"date": due, "quantity": None}]
    # placed: no second "place" link for the supplier
    page = client.get(f"/admin/ratings/ratingauthorization/{authorization.pk}/change/").content.decode()
    assert "Place rated order with Filtra Corp" not in page


def test_a_supplier_the_authorization_does_not_list_is_not_found(cast, client, hhs_signer):
    authorization = customer_authorization(cast)
    client.force_login(hhs_signer)
    base = f"/admin/ratings/ratingauthorization/{authorization.pk}/place/"
    assert client.get(f"{base}?supplier={cast.supplier_org2.pk}").status_code == 404
    assert client.get(f"{base}?supplier=x").status_code == 404
