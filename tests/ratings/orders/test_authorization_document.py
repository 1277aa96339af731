"""The rating authorization's document (what HHS signs on approval), its seal, its audited
download, its public verification page, and the portal pages the authorized signer places from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from ratings.constants import CONFIDENTIALITY_LEGEND, RATED_ORDER_CERTIFICATION, RequestState
from ratings.constants_authorization import AUTHORIZATION_CONDITIONS, AuthorizationStatus
from ratings.documents.authorization import AUTHORIZATION_NOT_AN_ORDER
from ratings.documents.signing import validate_pdf
from ratings.models import RatedOrder, RatingAuthorization
from ratings.services.requests import workflow
from tests.factories import PASSWORD, otp, request_in_state
from tests.ratings.orders.conftest import flat, pdf_pages


def _authorization(cast, django_capture_on_commit_callbacks, **kwargs) -> RatingAuthorization:
    rr = request_in_state(cast, RequestState.RECOMMENDED, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
    return RatingAuthorization.objects.get(rating_request=rr)


def test_the_authorization_holds_what_was_authorized_and_is_not_a_rated_order(cast, django_capture_on_commit_callbacks):
    """45 CFR 101.32(a)(3): HHS authorizes the party that places and signs the orders. The
    authorization names the party, rating, program, suppliers, items, quantities, windows,
    validity, conditions and legal basis, with the approving official's signature; it carries
    no rated-order certification (101.32(a)(4)), since it is not an order."""
    # given an emergency request naming two suppliers, approved
    authorization = _authorization(
        cast,
        django_capture_on_commit_callbacks,
        suppliers=[cast.supplier_org, cast.supplier_org2],
        is_emergency=True,
        emergency_response_hours=48,
    )

    # when
    pages = pdf_pages(authorization.document.open("rb").read())
    text = flat("\n".join(pages))

    # then
    for page in pages:
        assert flat(CONFIDENTIALITY_LEGEND) in flat(page)
        assert f"Rating authorization {authorization.number} v1" in page
    assert "DO-HR" in text and "Program: HR — Health resources" in text
    assert "Authorized party Acme Vaccines" in text
    assert "Filtra Corp" in text and "PumpCo" in text
    window = authorization.items_snapshot[0]["window_start"]
    assert f"Filtration skid Part PN-1 10 each {window}" in text
    assert f"from {authorization.valid_from.isoformat()} until {authorization.valid_until.isoformat()}" in text
    assert "acceptance limit of 48 hours (45 CFR 101.32(c))" in text
    assert flat(AUTHORIZATION_CONDITIONS) in text
    assert "Defense Production Act of 1950, Title I, section 101" in text
    assert "Approving authority: ASPR delegation, 87 FR 58363" in text
    assert "determined by Assistant Secretary for Preparedness and Response on 2024-03-11" in text
    assert flat(AUTHORIZATION_NOT_AN_ORDER) in text
    signed = authorization.signed_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert f"Signed by Omar Official, Director, Industrial Base Management Date and time: {signed}" in text
    assert authorization.fingerprint in text
    url = f"https://dpa.example.gov/verify/authorization/{authorization.number}/{authorization.fingerprint}/"
    assert url in text
    # not an order: no certification, no supplier's duties, no PO numbers
    assert flat(RATED_ORDER_CERTIFICATION) not in text
    assert "Accept or reject this order" not in text
    assert "PO-1" not in text


def test_the_seal_validates_and_the_stored_file_is_what_was_recorded(
    cast, django_capture_on_commit_callbacks, signing_pair
):
    authorization = _authorization(cast, django_capture_on_commit_callbacks)
    data = authorization.document.open("rb").read()
    result = validate_pdf(data, trust_root=Path(signing_pair[0]))
    assert (result.intact, result.valid, result.trusted) == (True, True, True)
    event = AuditEvent.objects.get(action="rating_authorization.document_generate")
    assert (event.reference, event.data["sha256"]) == (authorization.number, authorization.document_sha256)


@pytest.mark.parametrize("who", ["applicant", "signer", "approver", "auditor"])
def test_the_party_and_hhs_download_it_audited(cast, client, django_capture_on_commit_callbacks, who):
    authorization = _authorization(cast, django_capture_on_commit_callbacks)
    client.force_login(getattr(cast, who))
    response = client.get(f"/authorizations/{authorization.number}/document/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == authorization.document.open("rb").read()
    event = AuditEvent.objects.get(action="rating_authorization.document_download")
    assert (event.outcome, event.actor_id) == ("success", getattr(cast, who).pk)


@pytest.mark.parametrize("who", ["applicant2", "supplier"])
def test_anyone_else_gets_404_and_the_refusal_is_audited(cast, client, django_capture_on_commit_callbacks, who):
    authorization = _authorization(cast, django_capture_on_commit_callbacks)
    client.force_login(getattr(cast, who))
    assert client.get(f"/authorizations/{authorization.number}/document/").status_code == 404
    event = AuditEvent.objects.get(action="rating_authorization.document_download")
    assert (event.outcome, event.actor_id, event.reference) == ("denied", getattr(cast, who).pk, authorization.number)


def test_the_qr_link_verifies_it_publicly_without_confidential_data(cast, client, django_capture_on_commit_callbacks):
    authorization = _authorization(cast, django_capture_on_commit_callbacks)
    url = f"/verify/authorization/{authorization.number}/{authorization.fingerprint}/"

    page = client.get(url).content.decode()
    assert "Genuine" in page and authorization.number in page and "DO-HR" in page
    assert f"Active until {authorization.valid_until.isoformat()}" in page
    assert "Acme" not in page and "Filtra" not in page

    RatingAuthorization.objects.filter(pk=authorization.pk).update(status=AuthorizationStatus.REVOKED)
    assert "Revoked by HHS" in client.get(url).content.decode()
    wrong = client.get(f"/verify/authorization/{authorization.number}/{'0' * 64}/").content.decode()
    assert "Not genuine" in wrong


def test_the_signer_places_from_the_portal_and_an_applicant_is_refused(
    cast, client, django_capture_on_commit_callbacks
):
    """The portal form is pre-filled from the authorization; the signer signs with the password."""
    authorization = _authorization(cast, django_capture_on_commit_callbacks)
    supplier_id = cast.supplier_org.pk
    place_url = f"/portal/authorizations/{authorization.number}/place/{supplier_id}/"
    due = authorization.items_snapshot[0]["window_start"]
    form = {
        "version": authorization.version,
        "po_number": "ACME-9",
        "include_1": "on",
        "quantity_1": "10",
        "deliveries_1": due,
        "ship_to_1": "",
        "password": PASSWORD,
        "otp": "",
    }

    # the applicant (no signer role) sees the authorization but no button; posting is refused
    client.force_login(cast.applicant)
    detail = client.get(f"/portal/authorizations/{authorization.number}/").content.decode()
    assert authorization.number in detail and "Place and sign the order" not in detail
    refused = client.post(place_url, form)
    assert refused.status_code == 400
    assert "Only an authorized signer" in refused.content.decode()
    assert RatedOrder.objects.count() == 0

    # the signer sees the pre-filled form and places the order
    client.force_login(cast.signer)
    dashboard = client.get("/portal/").content.decode()
    assert authorization.number in dashboard
    page = client.get(place_url).content.decode()
    assert 'value="PO-1"' in page and 'value="10"' in page and f'value="{due}"' in page
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    bad = client.post(place_url, {**form, "deliveries_1": past})
    assert bad.status_code == 400 and "is in the past" in bad.content.decode()
    response = client.post(place_url, form)
    order = RatedOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/placed/{order.order_number}/"
    assert order.versions.get().signatures.get().signer == cast.signer
    assert order.order_number in client.get(f"/portal/authorizations/{authorization.number}/").content.decode()
