"""The rated-order document: required content (45 CFR 101.32), determinism, PAdES signature."""

from __future__ import annotations

import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo

from audit.models import AuditEvent
from ratings.constants import CONFIDENTIALITY_LEGEND, RATED_ORDER_CERTIFICATION, GenerationStatus
from ratings.documents.signing import validate_pdf
from ratings.models import Document, RatedOrderVersion
from ratings.services.orders import documents as order_documents
from ratings.services.requests import workflow
from ratings.tasks import generate_order_document
from tests.factories import PASSWORD, line_item, otp, place_orders
from tests.ratings.orders.conftest import flat, issue_order, many_items, pdf_pages, recommended_with_items


def _issue_many(cast, django_capture_on_commit_callbacks, count: int = 40, **overrides):
    rr = recommended_with_items(cast, many_items(cast.supplier_org, count), **overrides)
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
        place_orders(cast, rr)
    return rr.rated_orders.get()


def test_every_required_element_is_in_the_document_and_on_every_page(cast, django_capture_on_commit_callbacks):
    # given an emergency order with 40 items, each with two required dates (several pages)
    order = _issue_many(cast, django_capture_on_commit_callbacks, is_emergency=True, emergency_response_hours=48)
    version = order.versions.get()
    document = version.documents.get()

    # when
    pages = pdf_pages(document.file.open("rb").read())
    text = flat("\n".join(pages))

    # then: legend, order number and "Page x of y" on every page
    assert len(pages) == 3
    assert document.pages == len(pages)
    for number, page in enumerate(pages, start=1):
        assert flat(CONFIDENTIALITY_LEGEND) in flat(page)
        assert f"Order {order.order_number} v1" in page
        assert f"Page {number} of {len(pages)}" in page
    # the rating, the parties, every item's every required date
    assert "DO-HR" in text
    assert "Acme Vaccines" in text and "Filtra Corp" in text
    assert cast.supplier_org.address_line1 in text
    for item in version.items.all():
        assert item.po_number in text
        for due in item.required_dates:
            assert due["date"] in text
    # the authorization placed under, emergency limit, certification verbatim, signature block, duties, verification
    assert f"Placed by Acme Vaccines under rating authorization {order.authorization.number} of U.S. Department" in text
    assert "within 48 hours" in text
    assert flat(RATED_ORDER_CERTIFICATION) in text
    # Printed in the agency's time zone with its abbreviation, like every time people read.
    signed = version.issued_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert f"Signed by Sam Signer, Vice President, Supply Chain Date and time: {signed}" in text
    assert "Meaning: Placed and signed for the placing organization: certifies this rated order" in text
    assert "within 15 working days" not in text  # the emergency time limit replaces it (45 CFR 101.32(c))
    assert "Extend this rating to your own suppliers" in text
    assert version.fingerprint in text
    assert f"https://dpa.example.gov/verify/{order.order_number}/{version.fingerprint}/" in text


def test_the_same_version_renders_identical_bytes(cast, django_capture_on_commit_callbacks):
    # given
    order = issue_order(cast, django_capture_on_commit_callbacks)
    version = order.versions.get()

    # when rendered twice
    first, _ = order_documents.order_document_render(version)
    second, _ = order_documents.order_document_render(RatedOrderVersion.objects.get(pk=version.pk))

    # then: identical bytes, and they are exactly what the signature record names
    assert first == second
    assert hashlib.sha256(first).hexdigest() == version.signatures.get().document_sha256
    assert hashlib.sha256(first).hexdigest() == version.documents.get().unsigned_sha256


def test_the_pades_signature_validates_and_one_changed_byte_breaks_it(
    cast, django_capture_on_commit_callbacks, signing_pair
):
    # given the stored, signed document
    order = issue_order(cast, django_capture_on_commit_callbacks)
    data = order.versions.get().documents.get().file.open("rb").read()
    cert, _ = signing_pair

    # when / then: it validates against the agency certificate
    result = validate_pdf(data, trust_root=Path(cert))
    assert (result.intact, result.valid, result.trusted) == (True, True, True)

    # when one byte inside the signed content changes
    tampered = bytearray(data)
    position = data.index(b"DO-HR")
    tampered[position] = ord("X")
    result = validate_pdf(bytes(tampered), trust_root=Path(cert))

    # then
    assert result.ok is False
    assert result.intact is False


def test_rerunning_the_task_for_a_generated_version_creates_nothing(cast, django_capture_on_commit_callbacks):
    # given
    order = issue_order(cast, django_capture_on_commit_callbacks)
    version = order.versions.get()
    document = version.documents.get()
    events = AuditEvent.objects.count()

    # when
    result = generate_order_document.delay(version.pk).get()

    # then
    assert result == document.pk
    assert Document.objects.count() == 1
    assert AuditEvent.objects.count() == events
    version.refresh_from_db()
    assert version.generation_attempts == 1


def test_a_failed_generation_is_recorded_and_can_be_retried(
    cast, django_capture_on_commit_callbacks, settings, tmp_path
):
    # given no signing certificate
    good_cert = settings.DOCUMENT_SIGNING_CERT
    settings.DOCUMENT_SIGNING_CERT = tmp_path / "missing.pem"

    # when an order is issued
    order = issue_order(cast, django_capture_on_commit_callbacks)

    # then the failure is recorded on the version and in the trail, with no document
    version = order.versions.get()
    assert version.generation_status == GenerationStatus.FAILED
    assert version.generation_error.startswith("SigningUnavailable: The document signing certificate or key is missing")
    assert version.generation_attempts == 1
    assert Document.objects.count() == 0
    failure = AuditEvent.objects.get(action="rated_order.document_generate")
    assert failure.outcome == "failure"

    # when the certificate is back and HHS staff retry
    settings.DOCUMENT_SIGNING_CERT = good_cert
    with django_capture_on_commit_callbacks(execute=True):
        order_documents.order_document_retry(version=version, actor=cast.approver)

    # then
    version.refresh_from_db()
    assert version.generation_status == GenerationStatus.GENERATED
    assert version.generation_error == ""
    assert version.generation_attempts == 2
    assert Document.objects.filter(version=version).count() == 1
    assert list(
        AuditEvent.objects.filter(reference=order.order_number).order_by("sequence").values_list("action", "outcome")
    ) == [
        ("rated_order.place", "success"),
        ("rated_order.document_generate", "failure"),
        ("rated_order.received", "success"),  # the order notice reached the supplier: its clock starts
        ("rated_order.document_retry", "success"),
        ("rated_order.document_generate", "success"),
    ]


def test_a_po_number_of_18_characters_is_printed_whole(cast, django_capture_on_commit_callbacks):
    # given an order whose PO number is as long as purchasing systems make them ("PO-ACME-778" /
    # "1" was cut across two lines of its cell)
    number = "PO-2026-HHS-004512"
    rr = recommended_with_items(cast, [line_item(cast.supplier_org, po=number)])
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
        place_orders(cast, rr)

    # then it stands whole on one line of the items table
    document = rr.rated_orders.get().versions.get().documents.get()
    lines = [line.strip() for page in pdf_pages(document.file.open("rb").read()) for line in page.splitlines()]
    assert lines[lines.index("Required delivery date(s)") + 1 :][3] == number
