"""Bad input while preparing a request: a clear error naming the field, nothing partial stored."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.clock import agency_today
from ratings.constants import RequestState
from ratings.models import Attachment, LineItemDelivery, RatingRequest, RequestLineItem
from ratings.services.items import DeliveryInput
from ratings.services.requests import attachments, drafts
from tests.factories import details, draft_request, line_item, request_in_state
from tests.helpers import assert_refused, events_after, last_sequence

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
CSV = b"supplier,po,quantity\nFiltra,PO-1,4\n"


def _office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


def _nothing_stored(start: int) -> None:
    assert RatingRequest.objects.count() == 0
    assert RequestLineItem.objects.count() == 0
    assert LineItemDelivery.objects.count() == 0
    assert events_after(start) == []


def _create(cast, items):
    return drafts.rating_request_create(
        actor=cast.applicant, organization=cast.manufacturer, details=details(cast), line_items=items
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "ASAP",
            "“ASAP” is not a date: the required delivery date of item 2 must be a calendar date "
            "(YYYY-MM-DD or MM/DD/YYYY)",
        ),
        ("immediately", "“immediately” is not a date"),
        ("2026-02-30", "“2026-02-30” is not a real calendar date; write the required delivery date of item 2 as"),
        ("next week", "“next week” is not a real calendar date"),
        ("20261215", "“20261215” is not a real calendar date"),
        ("2026-W50-1", "“2026-W50-1” is not a real calendar date"),
        ("", "Enter the required delivery date of item 2 as YYYY-MM-DD or MM/DD/YYYY."),
        ("31/12/2099", "“31/12/2099” is not a real calendar date"),
        (agency_today() - dt.timedelta(days=1), "is in the past; give a date from"),
    ],
)
def test_a_delivery_date_must_be_a_real_future_date(cast, django_capture_on_commit_callbacks, value, message):
    # given
    start = last_sequence()

    # when
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationFailed) as raised:
        _create(cast, [line_item(cast.supplier_org), line_item(cast.supplier_org, dates=[value])])

    # then
    assert message in raised.value.message
    assert raised.value.field == "line_items[2].deliveries[1].required_date"
    _nothing_stored(start)
    assert callbacks == []


def test_today_is_a_valid_delivery_date(cast):
    rr = _create(cast, [line_item(cast.supplier_org, dates=[agency_today().isoformat()])])

    assert RequestLineItem.objects.get(request=rr).deliveries.get().required_date == agency_today()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Item 1: the quantity must be greater than zero."),
        (-1, "Item 1: the quantity must be greater than zero."),
        ("abc", "Item 1: the quantity “abc” is not a number; enter a number such as 1200."),
        ("", "Item 1: the quantity is required; enter a number such as 1200."),
        (None, "Item 1: the quantity is required; enter a number such as 1200."),
        ("1.0001", "“1.0001” has too many decimal places; it can have at most 3 digits after the decimal point."),
        ("1e1000000", "“1e1000000” is too large; it can have at most 11 digits before the decimal point."),
        ("NaN", "“NaN” is not a number"),
        ("inf", "“inf” is not a number"),
    ],
)
def test_a_quantity_must_be_a_positive_number(cast, quantity, message):
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        _create(cast, [line_item(cast.supplier_org, quantity=quantity)])

    assert message in raised.value.message
    assert raised.value.field == "line_items[1].quantity"
    _nothing_stored(start)


@pytest.mark.parametrize("supplier", ["unknown", "manufacturer", "garbage"])
def test_a_line_item_needs_a_registered_supplier(cast, supplier):
    # given: an id no organization has, a manufacturer's id, or not an id at all
    start = last_sequence()
    supplier_id = {"unknown": 999_999, "manufacturer": cast.manufacturer2.pk, "garbage": "Filtra"}[supplier]
    item = drafts.LineItemInput(
        supplier_id=supplier_id,
        po_number="PO-9",
        description="Skid",
        quantity="1",
        unit="each",
        deliveries=[DeliveryInput(timezone.localdate() + dt.timedelta(days=5))],
    )

    # when
    with pytest.raises(ValidationFailed) as raised:
        _create(cast, [item])

    # then
    assert raised.value.message == "Item 1: unknown supplier; choose a registered supplier organization."
    assert raised.value.field == "line_items[1].supplier"
    _nothing_stored(start)


def test_missing_item_fields_are_named(cast):
    start = last_sequence()
    item = drafts.LineItemInput(
        supplier_id=cast.supplier_org.pk, po_number=" ", description="x", quantity="1", unit="each", deliveries=[]
    )

    with pytest.raises(ValidationFailed) as raised:
        _create(cast, [item])

    assert (raised.value.field, raised.value.message) == (
        "line_items[1].po_number",
        "Item 1: the PO number is required.",
    )
    _nothing_stored(start)


def test_a_date_given_twice_is_refused(cast):
    day = timezone.localdate() + dt.timedelta(days=3)
    start = last_sequence()

    with pytest.raises(ValidationFailed, match="is given twice"):
        _create(cast, [line_item(cast.supplier_org, dates=[day, day.isoformat()])])

    _nothing_stored(start)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"category": "cosmetics"}, "category"),
        ({"requested_level": "DZ"}, "requested_level"),
        ({"program_id": 999_999}, "program"),
        ({"government_program": " "}, "government_program"),
        ({"is_emergency": True, "emergency_response_hours": None}, "emergency_response_hours"),
        ({"is_emergency": True, "emergency_response_hours": "abc"}, "emergency_response_hours"),
        ({"is_emergency": True, "emergency_response_hours": 0}, "emergency_response_hours"),
        ({"is_emergency": True, "emergency_response_hours": 10**12}, "emergency_response_hours"),
    ],
)
def test_bad_request_details_are_named(cast, override, field):
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        drafts.rating_request_create(
            actor=cast.applicant,
            organization=cast.manufacturer,
            details=details(cast, **override),
            line_items=[line_item(cast.supplier_org)],
        )

    assert raised.value.field == field
    _nothing_stored(start)


def test_only_an_applicant_of_the_manufacturer_creates_a_draft(cast):
    start = last_sequence()

    with pytest.raises(PermissionRefused):
        drafts.rating_request_create(
            actor=cast.applicant2, organization=cast.manufacturer, details=details(cast), line_items=[]
        )

    assert RatingRequest.objects.count() == 0
    assert [(e.action, e.outcome) for e in events_after(start)] == [("rating_request.create", "denied")]


# --- replacing line items --------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"quantity": "-1"},
        {"dates": ["ASAP"]},
        {"dates": ["2026-02-30"]},
    ],
)
def test_set_line_items_with_bad_input_keeps_the_old_items(cast, django_capture_on_commit_callbacks, bad):
    # given
    rr = draft_request(cast, suppliers=[cast.supplier_org, cast.supplier_org2])
    before = drafts.line_items_summary(rr)

    # when/then: the first item is fine, the second is not; nothing is replaced
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: drafts.rating_request_set_line_items(
            rating_request=rr,
            actor=cast.applicant,
            line_items=[line_item(cast.supplier_org2, po="PO-NEW"), line_item(cast.supplier_org, **bad)],
        ),
        ValidationFailed,
    )
    assert drafts.line_items_summary(rr) == before


def test_set_line_items_with_an_unknown_supplier_keeps_the_old_items(cast, django_capture_on_commit_callbacks):
    rr = draft_request(cast)
    before = drafts.line_items_summary(rr)
    item = drafts.LineItemInput(
        supplier_id=cast.manufacturer.pk,
        po_number="P",
        description="D",
        quantity="1",
        unit="u",
        deliveries=[DeliveryInput(timezone.localdate())],
    )

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: drafts.rating_request_set_line_items(rating_request=rr, actor=cast.applicant, line_items=[item]),
        ValidationFailed,
    )

    assert error.field == "line_items[1].supplier"
    assert drafts.line_items_summary(rr) == before


def test_set_line_items_replaces_them_all_and_is_audited(cast):
    rr = draft_request(cast)
    start = last_sequence()

    drafts.rating_request_set_line_items(
        rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org2, po="PO-NEW", quantity="2.5")]
    )

    assert [(i["po_number"], i["quantity"]) for i in drafts.line_items_summary(rr)] == [("PO-NEW", "2.500")]
    [event] = events_after(start)
    assert event.action == "rating_request.set_line_items"


def test_line_items_of_a_submitted_request_cannot_change(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.SUBMITTED)

    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: drafts.rating_request_set_line_items(
            rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org)]
        ),
        InvalidState,
    )


# --- attachments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF, "quote.pdf", "application/pdf"),
        (PNG, "photo.png", "image/png"),
        (JPEG, "scan.jpg", "image/jpeg"),
        (CSV, "items.csv", "text/csv"),
        (_office("xl"), "items.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (_office("word"), "letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (PDF, "named-wrongly.txt", "application/pdf"),
    ],
)
def test_accepted_attachments_are_typed_by_content(cast, content, name, content_type):
    rr = draft_request(cast)

    attachment = attachments.attachment_add(
        rating_request=rr, actor=cast.applicant, stream=io.BytesIO(content), original_name=name
    )

    assert (attachment.content_type, attachment.size, attachment.original_name) == (content_type, len(content), name)
    assert name not in attachment.file.name  # stored under its hash, never its uploaded name
    assert storages["private"].exists(attachment.file.name)
    assert AuditEvent.objects.filter(action="attachment.add", object_id=str(attachment.pk)).count() == 1


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 not a pdf at all", b"<html><script>alert(1)</script></html>", b"PK\x03\x04 broken zip", b""],
)
def test_a_file_whose_content_is_not_accepted_is_refused_whatever_its_name(cast, content):
    rr = draft_request(cast)
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        attachments.attachment_add(
            rating_request=rr, actor=cast.applicant, stream=io.BytesIO(content), original_name="quote.pdf"
        )

    assert raised.value.field == "file"
    assert raised.value.message.startswith("“quote.pdf” is not an accepted file: its content is not PDF, PNG")
    assert Attachment.objects.count() == 0
    assert events_after(start) == []


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_an_oversize_file_is_refused(cast):
    rr = draft_request(cast)
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        attachments.attachment_add(
            rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF + b"0" * 2048), original_name="big.pdf"
        )

    assert raised.value.field == "file"
    assert "the limit is" in raised.value.message
    assert Attachment.objects.count() == 0
    assert events_after(start) == []


def test_another_manufacturer_cannot_attach(cast):
    rr = draft_request(cast)
    start = last_sequence()

    with pytest.raises(PermissionRefused):
        attachments.attachment_add(
            rating_request=rr, actor=cast.applicant2, stream=io.BytesIO(PDF), original_name="x.pdf"
        )

    assert Attachment.objects.count() == 0
    assert [(e.action, e.outcome) for e in events_after(start)] == [("attachment.add", "denied")]


def test_an_emergency_order_keeps_its_response_time_limit(cast):
    rr = drafts.rating_request_create(
        actor=cast.applicant,
        organization=cast.manufacturer,
        details=details(cast, is_emergency=True, emergency_response_hours="48"),
        line_items=[line_item(cast.supplier_org)],
    )

    assert (rr.is_emergency, RatingRequest.objects.get(pk=rr.pk).emergency_response_hours) == (True, 48)
