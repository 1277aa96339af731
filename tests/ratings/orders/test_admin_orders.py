"""The HHS staff pages for rated orders: list, order page, amend, cancel, retry."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from ratings.clock import agency_today
from ratings.constants import GenerationStatus, OrderStatus
from ratings.models import RatedOrder, RatedOrderItem
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
    # the signature is the placing party's authorized signer's (45 CFR 101.32(a)(3))
    assert "Sam Signer" in body and "Placed and signed for the placing organization" in body
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


def _amend_form(item: dict, **changes: str) -> dict[str, str]:
    form = {
        "quantity_1": item["quantity"],
        "dates_1": ", ".join(d["date"] for d in item["required_dates"]),
        "ship_to_1": "",
        "reason": "Change.",
        "password": PASSWORD,
        "version": "1",
    }
    return {**form, **changes}


def _order_state(order: RatedOrder) -> tuple:
    fresh = RatedOrder.objects.get(pk=order.pk)
    items = list(RatedOrderItem.objects.filter(version__order=order).values_list("quantity", "required_dates"))
    return fresh.status, fresh.current_version, fresh.versions.count(), items, AuditEvent.objects.count()


def _days(count: int) -> str:
    return ", ".join((agency_today() + dt.timedelta(days=n)).isoformat() for n in range(1, count + 1))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity_1": "1E12"}, "quantity_1", "Item 1: the quantity “1E12” is too large"),
        ({"quantity_1": "0.0001"}, "quantity_1", "Item 1: the quantity “0.0001” has too many decimal places"),
        ({"quantity_1": "NaN"}, "quantity_1", "Item 1: the quantity “NaN” is not a number"),
        ({"dates_1": _days(60)}, "dates_1", "Item 1: give at most 20 required delivery dates; 60 were given."),
        ({"dates_1": "2001-03-01"}, "dates_1", "The required delivery date of item 1 (2001-03-01) is in the past"),
        ({"dates_1": "ASAP"}, "dates_1", "“ASAP” is not a date"),
        ({"dates_1": ""}, "dates_1", "Item 1: give at least one required delivery date."),
    ],
)
def test_an_amendment_beyond_a_limit_is_a_form_error_and_nothing_changes(
    cast, client, django_capture_on_commit_callbacks, changes, field, message
):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    item = order.versions.get().items_snapshot[0]
    client.force_login(cast.approver)  # a sign-in event
    before = _order_state(order)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/admin/ratings/ratedorder/{order.pk}/amend/", {**_amend_form(item, **changes), "otp": otp(cast.approver)}
        )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert (_order_state(order), callbacks) == (before, [])
