"""The QR code printed on every signed document reads back, from the rendered page, as the
document's own verification address, and that address says the document is genuine."""

from __future__ import annotations

from urllib.parse import urlsplit

import pypdfium2
import zxingcpp
from django.conf import settings

from ratings.constants import RequestState
from ratings.models import RatingAuthorization
from ratings.services.requests import workflow
from tests.factories import PASSWORD, otp, request_in_state
from tests.ratings.orders.conftest import issue_order


def _qr_codes(pdf: bytes) -> list[str]:
    """Every QR code found on the pages, rasterised at 200 dpi as a phone camera would see a print."""
    found = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=200 / 72).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def test_the_order_document_qr_code_is_its_verification_address(cast, client, django_capture_on_commit_callbacks):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    version = order.versions.get()
    pdf = version.documents.get().file.open("rb").read()

    codes = _qr_codes(pdf)

    assert codes == [f"{settings.SITE_URL}/verify/{order.order_number}/{version.fingerprint}/"]
    page = client.get(urlsplit(codes[0]).path).content.decode()
    assert "<h2>Genuine</h2>" in page


def test_the_authorization_document_qr_code_is_its_verification_address(
    cast, client, django_capture_on_commit_callbacks
):
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
    authorization = RatingAuthorization.objects.get(rating_request=rr)

    codes = _qr_codes(authorization.document.open("rb").read())

    assert codes == [f"{settings.SITE_URL}/verify/authorization/{authorization.number}/{authorization.fingerprint}/"]
    page = client.get(urlsplit(codes[0]).path).content.decode()
    assert "Genuine" in page and authorization.number in page
