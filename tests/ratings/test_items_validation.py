"""The one item validator (ratings.services.items): its limits are the database's and the
document's, its parsers refuse what a column would, and every service path uses it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed
from ratings.clock import agency_today
from ratings.constants import RequestState
from ratings.documents.render import Item, OrderContent, render_pdf
from ratings.models import LineItemDelivery, RatedOrder, RatedOrderItem, RatingRequest, RequestLineItem
from ratings.services import items
from ratings.services.items import DeliveryInput
from ratings.services.orders import changes as order_changes
from ratings.services.requests import drafts, workflow
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import PASSWORD, details, draft_request, line_item, otp, request_in_state
from tests.helpers import assert_refused, events_after, last_sequence
from tests.ratings.orders.conftest import amended_item
from tests.ratings.orders.test_render_unit import sample_content

TOO_LARGE = "“1E12” is too large; it can have at most 11 digits before the decimal point."
TOO_FINE = "“0.0001” has too many decimal places; it can have at most 3 digits after the decimal point."
SIXTY_DATES = "give at most 20 required delivery dates; 60 were given. The rated order prints them all beside the item."
FIFTY_ONE = "At most 50 items fit one request or order; 51 were given. Split them over several."


def days_ahead(count: int, start: int = 1) -> list[dt.date]:
    return [agency_today() + dt.timedelta(days=start + n) for n in range(count)]


# --- the limits are the columns' and the document's --------------------------------------------


@pytest.mark.parametrize("model", [RequestLineItem, RatedOrderItem])
def test_the_text_and_quantity_limits_are_the_columns(model):
    field = model._meta.get_field
    assert {
        name: field(name).max_length for name in ("po_number", "description", "part_number", "unit", "ship_to")
    } == {
        "po_number": items.PO_NUMBER_MAX_LENGTH,
        "description": items.DESCRIPTION_MAX_LENGTH,
        "part_number": items.PART_NUMBER_MAX_LENGTH,
        "unit": items.UNIT_MAX_LENGTH,
        "ship_to": items.SHIP_TO_MAX_LENGTH,
    }
    assert (field("quantity").max_digits, field("quantity").decimal_places) == (
        items.QUANTITY_MAX_DIGITS,
        items.QUANTITY_DECIMAL_PLACES,
    )
    split = LineItemDelivery._meta.get_field("quantity")
    assert (split.max_digits, split.decimal_places) == (items.QUANTITY_MAX_DIGITS, items.QUANTITY_DECIMAL_PLACES)


def _longest_content(item_count: int, date_count: int) -> OrderContent:
    longest = Item(
        position=1,
        description=("Filter membrane " * 20)[: items.DESCRIPTION_MAX_LENGTH],
        part_number=("PN-0001 " * 15)[: items.PART_NUMBER_MAX_LENGTH],
        po_number="P" * items.PO_NUMBER_MAX_LENGTH,
        quantity="99999999999.999",
        unit="u" * items.UNIT_MAX_LENGTH,
        ship_to=("Dock 4, Building 12, " * 15)[: items.SHIP_TO_MAX_LENGTH],
        required_dates=[{"date": day.isoformat(), "quantity": "99999999999.999"} for day in days_ahead(date_count)],
    )
    return replace(sample_content(), items=[longest] * item_count)


def test_the_document_holds_the_most_items_and_dates_the_validator_lets_through():
    # every text at its column's length, every date with a split quantity of the largest size
    pdf = render_pdf(_longest_content(items.MAX_ITEMS_PER_REQUEST, items.MAX_DATES_PER_ITEM))

    assert pdf.startswith(b"%PDF")


# --- one value ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1E12", "The quantity “1E12” is too large"),
        ("100000000000", "is too large"),
        ("0.0001", "The quantity “0.0001” has too many decimal places"),
        ("NaN", "The quantity “NaN” is not a number"),
        ("-inf", "The quantity “-inf” is not a number"),
        ("1,2", "The quantity “1,2” is not a number"),
        ("1,20", "The quantity “1,20” is not a number"),
        ("12,00,000", "The quantity “12,00,000” is not a number"),
        (",200", "The quantity “,200” is not a number"),
        ("-5", "The quantity must be greater than zero."),
        ("0.000", "The quantity must be greater than zero."),
        ("x" * 500, "The quantity “" + "x" * 39 + "…” is not a number"),
    ],
)
def test_a_quantity_the_column_cannot_hold_is_refused(value, message):
    with pytest.raises(ValidationFailed) as raised:
        items.parse_quantity(value, field="q")

    assert message in raised.value.message
    assert raised.value.field == "q"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("99999999999.999", "99999999999.999"),
        (" 12.5 ", "12.5"),
        (Decimal("0.001"), "0.001"),
        (7, "7"),
        ("12,000", "12000"),
        ("1,234,567.25", "1234567.25"),
    ],
)
def test_a_quantity_the_column_holds_is_taken(value, expected):
    assert items.parse_quantity(value, field="q") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2099-03-04", dt.date(2099, 3, 4)), ("03/04/2099", dt.date(2099, 3, 4)), ("3/4/2099", dt.date(2099, 3, 4))],
)
def test_a_date_is_read_as_year_month_day_or_as_month_day_year(text, expected):
    assert items.parse_date(text, field="d", label="date") == expected


def test_dates_start_on_the_agency_day_not_the_utc_day(monkeypatch):
    # 03:00 UTC on 10 March is still 9 March in Washington
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 3, 10, 3, 0, tzinfo=dt.UTC))
    item = items.ItemInput(description="Skid", quantity="1", unit="each", po_number="PO", deliveries=[])

    def clean(day: str) -> list[items.CleanItem]:
        return items.clean_items([replace(item, deliveries=[DeliveryInput(day)])], field="x")

    assert clean("2027-03-09")[0].deliveries == [(dt.date(2027, 3, 9), None)]
    with pytest.raises(ValidationFailed, match=r"\(2027-03-08\) is in the past; give a date from 2027-03-09 on"):
        clean("2027-03-08")


def test_text_longer_than_its_column_or_holding_a_nul_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        items.clean_text("u" * 31, field="unit", label="Unit", max_length=30)
    assert (raised.value.field, raised.value.message) == ("unit", "Unit must be at most 30 characters; it has 31.")
    with pytest.raises(ValidationFailed, match="contains a NUL character"):
        items.clean_text("Skid\x00", field="unit", label="Unit", max_length=30)


# --- drafts (the portal wizard and the API call these) ------------------------------------------


def _over_the_limit(cast, case: str) -> list[drafts.LineItemInput]:
    good = line_item(cast.supplier_org)
    return {
        "1E12": [good, line_item(cast.supplier_org, quantity="1E12")],
        "0.0001": [good, line_item(cast.supplier_org, quantity="0.0001")],
        "60 dates": [good, line_item(cast.supplier_org, dates=days_ahead(60))],
        "51 items": [line_item(cast.supplier_org, po=f"PO-{n}") for n in range(51)],
    }[case]


LIMIT_CASES = [
    ("1E12", "line_items[2].quantity", "Item 2: the quantity " + TOO_LARGE),
    ("0.0001", "line_items[2].quantity", "Item 2: the quantity " + TOO_FINE),
    ("60 dates", "line_items[2].deliveries", "Item 2: " + SIXTY_DATES),
    ("51 items", "line_items", FIFTY_ONE),
]


@pytest.mark.parametrize(("case", "field", "message"), LIMIT_CASES)
def test_a_draft_beyond_a_limit_is_refused_and_nothing_is_stored(cast, case, field, message):
    start = last_sequence()

    with pytest.raises(ValidationFailed) as raised:
        drafts.rating_request_create(
            actor=cast.applicant,
            organization=cast.manufacturer,
            details=details(cast),
            line_items=_over_the_limit(cast, case),
        )

    assert (raised.value.field, raised.value.message) == (field, message)
    assert (RatingRequest.objects.count(), RequestLineItem.objects.count(), events_after(start)) == (0, 0, [])


@pytest.mark.parametrize(("case", "field", "message"), LIMIT_CASES)
def test_replacing_items_beyond_a_limit_keeps_the_stored_ones(
    cast, django_capture_on_commit_callbacks, case, field, message
):
    rr = draft_request(cast)
    before = drafts.line_items_summary(rr)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: drafts.rating_request_set_line_items(
            rating_request=rr, actor=cast.applicant, line_items=_over_the_limit(cast, case)
        ),
        ValidationFailed,
    )

    assert (error.field, error.message) == (field, message)
    assert drafts.line_items_summary(rr) == before


def test_split_quantities_and_dates_are_checked_one_by_one(cast):
    item = line_item(cast.supplier_org)
    deliveries = [DeliveryInput(day, "0.0001" if n == 2 else "1") for n, day in enumerate(days_ahead(3), start=1)]

    with pytest.raises(ValidationFailed) as raised:
        drafts.rating_request_create(
            actor=cast.applicant,
            organization=cast.manufacturer,
            details=details(cast),
            line_items=[replace(item, deliveries=deliveries)],
        )

    assert raised.value.field == "line_items[1].deliveries[2].quantity"
    assert raised.value.message.startswith(f"Item 1: the quantity due {days_ahead(2)[1]} “0.0001” has too many")


# --- amendments ---------------------------------------------------------------------------------


def _order_state(order: RatedOrder) -> tuple:
    fresh = RatedOrder.objects.get(pk=order.pk)
    items_now = list(RatedOrderItem.objects.filter(version__order=order).values_list("quantity", "required_dates"))
    return fresh.status, fresh.current_version, fresh.versions.count(), items_now, AuditEvent.objects.count()


def _issued(cast) -> RatedOrder:
    return request_in_state(cast, RequestState.ISSUED).rated_orders.get()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "1E12"}, "items[1].quantity", "Item 1: the quantity " + TOO_LARGE),
        ({"quantity": "0.0001"}, "items[1].quantity", "Item 1: the quantity " + TOO_FINE),
        ({"required_dates": days_ahead(60)}, "items[1].deliveries", "Item 1: " + SIXTY_DATES),
        (
            {"required_dates": ["2001-03-01"]},
            "items[1].deliveries[1].required_date",
            "The required delivery date of item 1 (2001-03-01) is in the past; give a date from {today} on.",
        ),
        ({"ship_to": "x" * 301}, "items[1].ship_to", "Item 1: the ship-to address must be at most 300 characters"),
        ({"position": 0}, "items", "Item position 0 is not a whole number above zero."),
    ],
)
def test_an_amendment_beyond_a_limit_is_refused_and_the_order_is_unchanged(
    cast, django_capture_on_commit_callbacks, changes, field, message
):
    order = _issued(cast)
    before = _order_state(order)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationFailed) as raised:
        order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="Change.",
            items=[amended_item(order, **changes)],
        )

    assert raised.value.field == field
    assert raised.value.message.startswith(message.format(today=agency_today().isoformat()))
    assert (_order_state(order), callbacks) == (before, [])


def test_an_amendment_with_51_items_is_refused(cast):
    order = _issued(cast)
    before = _order_state(order)
    amended = [amended_item(order, position=n) for n in range(1, 52)]

    with pytest.raises(ValidationFailed) as raised:
        order_changes.rated_order_amend(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="More.", items=amended
        )

    assert (raised.value.field, raised.value.message) == ("items", FIFTY_ONE)
    assert _order_state(order) == before


def test_an_amendment_may_keep_a_date_that_has_passed_but_not_add_one(cast):
    # given an order whose first required date has passed since it was issued
    order = _issued(cast)
    past = agency_today() - dt.timedelta(days=3)
    version = order.versions.get()
    version.items_snapshot[0]["required_dates"].insert(0, {"date": past.isoformat(), "quantity": None})
    version.save(update_fields=["items_snapshot"])
    dates = [d["date"] for d in version.items_snapshot[0]["required_dates"]]

    # when the quantity is cut and the dates kept, the amendment goes through
    amended = order_changes.rated_order_amend(
        order=order,
        actor=cast.approver,
        password=PASSWORD,
        otp=otp(cast.approver),
        reason="Cut.",
        items=[amended_item(order, quantity="5")],
    )
    new_dates = [d["date"] for d in amended.versions.get(number=2).items_snapshot[0]["required_dates"]]
    assert (amended.current_version, new_dates) == (2, dates)

    # but another past date is refused
    earlier = (past - dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed, match=f"item 1 \\({earlier}\\) is in the past"):
        order_changes.rated_order_amend(
            order=amended,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="Earlier.",
            items=[amended_item(amended, required_dates=[earlier, *dates])],
        )


# --- flow-down ----------------------------------------------------------------------------------


def test_a_flowdown_with_51_items_is_refused_and_nothing_is_created(cast):
    parent = supplier_responses.rated_order_accept(order=_issued(cast), actor=cast.supplier)
    before = _order_state(parent)
    one = flowdown.FlowdownItemInput(description="Membrane", quantity="1", unit="each", required_dates=days_ahead(1))

    with pytest.raises(ValidationFailed) as raised:
        flowdown.flowdown_order_create(
            parent=parent,
            actor=cast.supplier,
            sub_supplier=cast.supplier_org2,
            po_number="SUB-1",
            items=[one] * 51,
            password=PASSWORD,
        )

    assert (raised.value.field, raised.value.message) == ("items", FIFTY_ONE)
    assert (_order_state(parent), RatedOrder.objects.count()) == (before, 1)


# --- time passes between input and decision -----------------------------------------------------


def _date_has_passed(rr: RatingRequest) -> dt.date:
    past = agency_today() - dt.timedelta(days=1)
    LineItemDelivery.objects.filter(line_item__request=rr).update(required_date=past)
    return past


def test_approval_refuses_a_required_date_that_has_passed_and_nothing_changes(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    past = _date_has_passed(rr)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_approve(
            rating_request=rr,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
        ),
        ValidationFailed,
    )

    assert error.field == "line_items[1].deliveries[1].required_date"
    assert error.message == (
        f"Item 1: the required delivery date {past.isoformat()} has passed (today is {agency_today().isoformat()}); "
        "a rated order cannot be issued with a past date. "
        "Deny the request; the applicant can then ask again with dates still ahead."
    )
    assert RatedOrder.objects.count() == 0


def test_submitting_a_draft_whose_date_has_passed_is_refused(cast, django_capture_on_commit_callbacks):
    rr = draft_request(cast)
    _date_has_passed(rr)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_submit(
            rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
        ),
        ValidationFailed,
    )

    assert error.field == "line_items[1].deliveries[1].required_date"
    assert error.message.endswith("Change it on the line items step, then submit again.")


# --- supplier responses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_date", "message"),
    [
        ("ASAP", "“ASAP” is not a date: the new delivery date must be a calendar date"),
        ("2027-02-30", "“2027-02-30” is not a real calendar date"),
        (None, "Enter the new delivery date as YYYY-MM-DD or MM/DD/YYYY."),
        ("13/04/2099", "“13/04/2099” is not a real calendar date; write the new delivery date as YYYY-MM-DD"),
        ("today", "“today” is not a real calendar date"),
    ],
)
def test_a_delay_notice_date_goes_through_the_same_parser(cast, new_date, message):
    order = supplier_responses.rated_order_accept(order=_issued(cast), actor=cast.supplier)
    before = _order_state(order)

    with pytest.raises(ValidationFailed) as raised:
        supplier_responses.rated_order_notify_delay(
            order=order, actor=cast.supplier, reasons="Late.", new_date=new_date
        )

    assert raised.value.field == "new_date"
    assert raised.value.message.startswith(message)
    assert _order_state(order) == before


def test_a_delay_notice_date_must_be_after_today(cast):
    order = supplier_responses.rated_order_accept(order=_issued(cast), actor=cast.supplier)

    with pytest.raises(ValidationFailed, match="The new delivery date must be after today; give a date from"):
        supplier_responses.rated_order_notify_delay(
            order=order, actor=cast.supplier, reasons="Late.", new_date=agency_today()
        )


def test_split_deliveries_typed_in_one_box_keep_their_quantities_even_with_thousands_separators():
    assert items.split_deliveries("2027-01-05: 1,200, 2027-02-14: 300; 01/03/2027") == [
        items.DeliveryInput("2027-01-05", "1,200"),
        items.DeliveryInput("2027-02-14", "300"),
        items.DeliveryInput("01/03/2027", None),
    ]
    assert items.deliveries_text(
        [{"date": "2027-01-05", "quantity": "500"}, {"date": "2027-02-14", "quantity": None}]
    ) == ("2027-01-05: 500, 2027-02-14")
