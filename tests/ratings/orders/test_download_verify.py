"""Permission-checked, audited downloads and the public verification page."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from ratings.constants import Role
from ratings.services.orders import changes as order_changes
from tests.factories import PASSWORD, OrganizationFactory, member, otp
from tests.ratings.orders.conftest import issue_order


def _url(order, version: int = 1) -> str:
    return f"/orders/{order.order_number}/v{version}/document/"


@pytest.mark.parametrize("who", ["applicant", "supplier", "approver", "auditor"])
def test_allowed_people_download_the_signed_document_and_it_is_audited(
    cast, client, django_capture_on_commit_callbacks, who
):
    # given
    order = issue_order(cast, django_capture_on_commit_callbacks)
    document = order.versions.get().documents.get()
    client.force_login(getattr(cast, who))

    # when
    response = client.get(_url(order))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == document.file.open("rb").read()
    event = AuditEvent.objects.get(action="rated_order.document_download")
    assert (event.outcome, event.actor_id, event.data["sha256"]) == ("success", getattr(cast, who).pk, document.sha256)


@pytest.mark.parametrize("who", ["applicant2", "supplier2"])
def test_another_manufacturer_or_an_unrelated_supplier_is_refused_and_audited(
    cast, client, django_capture_on_commit_callbacks, who
):
    # given an order from Acme to Filtra
    order = issue_order(cast, django_capture_on_commit_callbacks)
    client.force_login(getattr(cast, who))
    events = AuditEvent.objects.count()

    # when Beta's applicant or PumpCo's contact asks for it
    response = client.get(_url(order))

    # then 404, and exactly one denied event
    assert response.status_code == 404
    new = list(AuditEvent.objects.order_by("sequence")[events:])
    assert [(e.action, e.outcome, e.actor_id, e.reference) for e in new] == [
        ("rated_order.document_download", "denied", getattr(cast, who).pk, order.order_number)
    ]


def test_a_stranger_and_an_unknown_order_get_404(cast, client, django_capture_on_commit_callbacks):
    # given an applicant of an unrelated manufacturer
    order = issue_order(cast, django_capture_on_commit_callbacks)
    stranger = member(OrganizationFactory(), Role.APPLICANT)
    client.force_login(stranger)

    # when / then: refused (audited); an unknown number is a plain 404 with nothing to audit
    assert client.get(_url(order)).status_code == 404
    assert client.get("/orders/HHS-DPA-2026-999999/v1/document/").status_code == 404
    assert AuditEvent.objects.filter(action="rated_order.document_download", outcome="denied").count() == 1


def test_anonymous_download_goes_to_login(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    response = client.get(_url(order))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_verification_says_genuine_and_active_for_the_qr_link(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    version = order.versions.get()

    response = client.get(f"/verify/{order.order_number}/{version.fingerprint}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h2>Genuine</h2>" in body
    assert "Status: <strong>active</strong>" in body
    assert "DO-HR" in body
    # nothing confidential: no company names, no items
    assert "Acme" not in body and "Filtra" not in body and "Filtration skid" not in body


def test_verification_says_not_genuine_for_a_wrong_fingerprint(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    wrong = "0" * 64

    response = client.get("/verify/", {"order_number": order.order_number, "fingerprint": wrong})

    assert response.status_code == 200
    assert "<h2>Not genuine</h2>" in response.content.decode()


def test_verification_rejects_malformed_input_without_error(client, db):
    response = client.get("/verify/", {"order_number": "X", "fingerprint": "nothex"})
    assert response.status_code == 200
    assert "Ensure this value has at least 64 characters" in response.content.decode()


def test_verification_says_cancelled_and_amended(cast, client, django_capture_on_commit_callbacks):
    # given one order amended and then cancelled
    order = issue_order(cast, django_capture_on_commit_callbacks)
    first = order.versions.get()
    item = first.items_snapshot[0]
    amended_item = order_changes.AmendedItem(
        position=1,
        description=item["description"],
        quantity="9",
        unit="each",
        required_dates=[dt.date.fromisoformat(item["required_dates"][0]["date"])],
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="Cut.",
            items=[amended_item],
        )

    # when the old version is checked
    body = client.get(f"/verify/{order.order_number}/{first.fingerprint}/").content.decode()
    # then
    assert "Amended by version 2; this version is superseded." in body

    # when the order is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Not needed."
        )
    body = client.get(f"/verify/{order.order_number}/{first.fingerprint}/").content.decode()

    # then any of its documents reads cancelled
    assert "<h2>Genuine</h2>" in body
    assert "Status: <strong>cancelled</strong>" in body


def test_verification_is_rate_limited_with_429(cast, client, settings, django_capture_on_commit_callbacks):
    settings.VERIFY_RATE_LIMIT = "3/m"
    codes = [client.get("/verify/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Too many verification requests" in client.get("/verify/").content.decode()
