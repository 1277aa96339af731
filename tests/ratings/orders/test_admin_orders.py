"""The HHS staff pages for rated orders: list, order page, amend, cancel, retry."""

from __future__ import annotations

from ratings.constants import GenerationStatus, OrderStatus
from ratings.models import RatedOrder
from tests.factories import PASSWORD, otp
from tests.ratings.orders.conftest import issue_order


def test_staff_see_the_order_with_versions_signature_and_document(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.approver)

    listing = client.get("/admin/ratings/ratedorder/")
    page = client.get(f"/admin/ratings/ratedorder/{order.pk}/change/")

    assert listing.status_code == 200
    assert order.order_number in listing.content.decode()
    body = page.content.decode()
    assert page.status_code == 200
    assert "Omar Official" in body and "Approved: authorizes the priority rating" in body
    assert f"/orders/{order.order_number}/v1/document/" in body
    assert f"/admin/ratings/ratedorder/{order.pk}/amend/" in body


def test_amend_and_cancel_through_the_admin_forms(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    item = order.versions.get().items_snapshot[0]
    client.force_login(cast.approver)
    url = f"/admin/ratings/ratedorder/{order.pk}/amend/"

    # a wrong password is shown as a form error and changes nothing
    form = {
        "quantity_1": "5",
        "dates_1": item["required_dates"][0]["date"],
        "ship_to_1": "",
        "reason": "Cut.",
        "password": "nope",
        "version": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert RatedOrder.objects.get(pk=order.pk).current_version == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**form, "password": PASSWORD, "otp": otp(cast.approver)})
    assert response.status_code == 302
    assert RatedOrder.objects.get(pk=order.pk).status == OrderStatus.AMENDED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/ratings/ratedorder/{order.pk}/cancel/",
            {"reason": "Not needed.", "password": PASSWORD, "otp": otp(cast.approver), "version": "2"},
        )
    assert response.status_code == 302
    assert RatedOrder.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_a_failed_generation_shows_and_can_be_retried_in_the_admin(
    cast, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    good = settings.DOCUMENT_SIGNING_KEY
    settings.DOCUMENT_SIGNING_KEY = tmp_path / "missing.pem"
    order = issue_order(cast, django_capture_on_commit_callbacks)
    version = order.versions.get()
    client.force_login(cast.approver)

    page = client.get(f"/admin/ratings/ratedorder/{order.pk}/change/").content.decode()
    assert "<strong>Failed</strong> (1 attempts)" in page
    assert "1 failed" in client.get("/admin/ratings/ratedorder/").content.decode()

    settings.DOCUMENT_SIGNING_KEY = good
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/ratings/ratedorder/{order.pk}/retry/{version.pk}/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.generation_status == GenerationStatus.GENERATED


def test_suppliers_and_applicants_have_no_admin_page(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.supplier)
    response = client.get(f"/admin/ratings/ratedorder/{order.pk}/change/")
    assert response.status_code == 302  # to the admin login: not staff
