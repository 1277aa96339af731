"""The one validator of line items, quantities and delivery dates.

Drafts and the API (services.requests.drafts), amendments (services.orders.changes) and
flow-down (services.suppliers.flowdown) clean their items here, and supplier responses their
dates, so the limits are the same everywhere: what the database columns and the rated-order
document can hold. Input beyond a limit is refused with a ValidationFailed whose `field` names
the exact input (e.g. "line_items[3].deliveries[2].required_date"), never left to the database.
Portal forms and API serializers import the limits from here; they do not repeat them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dpa_portal.errors import ValidationFailed
from ratings.clock import agency_today
from ratings.models import RatingRequest

# The columns of RequestLineItem, LineItemDelivery and RatedOrderItem (a test compares them).
QUANTITY_MAX_DIGITS = 14
QUANTITY_DECIMAL_PLACES = 3
PO_NUMBER_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 300
PART_NUMBER_MAX_LENGTH = 100
UNIT_MAX_LENGTH = 30
SHIP_TO_MAX_LENGTH = 300
# What the supplier quoted and the order's value: the application's, never the order's.
ORDER_VALUE_MAX_DIGITS = 14
ORDER_VALUE_DECIMAL_PLACES = 2
ORDER_VALUE_LIMIT = Decimal(10) ** (ORDER_VALUE_MAX_DIGITS - ORDER_VALUE_DECIMAL_PLACES)
ORDER_VALUE_HELP = (
    f"US dollars, e.g. 125000 or 1250.50: at most {ORDER_VALUE_MAX_DIGITS - ORDER_VALUE_DECIMAL_PLACES} digits "
    f"before the decimal point and {ORDER_VALUE_DECIMAL_PLACES} after it."
)
# Free text of assistance cases and reconsideration requests (what was tried, impact, questions).
CASE_TEXT_MAX_LENGTH = 4000

# A request's items become the items of its orders; amendments and flow-down keep the same cap.
MAX_ITEMS_PER_REQUEST = 50
# The document prints an item's dates in one table row, and a row cannot break across pages:
# 20 dates, each with a split quantity and the longest unit, still fit on a page (a test renders it).
MAX_DATES_PER_ITEM = 20

QUANTITY_INTEGER_DIGITS = QUANTITY_MAX_DIGITS - QUANTITY_DECIMAL_PLACES
QUANTITY_LIMIT = Decimal(10) ** QUANTITY_INTEGER_DIGITS
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_DECIMAL_PLACES)
QUANTITY_HELP = (
    f"A positive number with at most {QUANTITY_INTEGER_DIGITS} digits before the decimal point "
    f"and {QUANTITY_DECIMAL_PLACES} after it, e.g. 12,000 or 12.5."
)
NOT_A_DATE_WORDS = {"asap", "immediately", "now", "urgent", "tbd", "as soon as possible"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The US form people type and the USWDS date picker shows: month first, then day, then year.
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DATE_FORMS_TEXT = "YYYY-MM-DD or MM/DD/YYYY"
# Commas only between groups of three digits: "12,000" is twelve thousand, "1,5" is refused
# rather than read as one and a half or fifteen.
GROUPED_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def _shown(value: object) -> str:
    """The input quoted back in a message, cut short: it may be anything anyone sent."""
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


# --- one value ---------------------------------------------------------------------------------


def parse_date(value: object, *, field: str, label: str, earliest: dt.date | None = None) -> dt.date:
    """A calendar date: a date, or text written YYYY-MM-DD or MM/DD/YYYY; never "ASAP" (45 CFR 101.32(a)(2)).

    `earliest` is the first day allowed (agency time zone); None checks the form only.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ValidationFailed(f"Enter the {label} as {DATE_FORMS_TEXT}.", field=field)
        if text.lower() in NOT_A_DATE_WORDS:
            raise ValidationFailed(
                f"“{_shown(text)}” is not a date: the {label} must be a calendar date ({DATE_FORMS_TEXT}); "
                "a rated order needs one for each item (45 CFR 101.32).",
                field=field,
            )
        parsed = _date_from_text(text)
        if parsed is None:
            raise ValidationFailed(
                f"“{_shown(text)}” is not a real calendar date; write the {label} as YYYY-MM-DD (year-month-day) "
                "or MM/DD/YYYY (month/day/year).",
                field=field,
            )
        day = parsed
    if earliest is not None:
        check_earliest(day, earliest=earliest, field=field, label=label)
    return day


def _date_from_text(text: str) -> dt.date | None:
    try:
        if ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        us = US_DATE.fullmatch(text)
        if us:
            month, day, year = (int(part) for part in us.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def check_earliest(day: dt.date, *, earliest: dt.date, field: str, label: str) -> None:
    if day >= earliest:
        return
    if day < agency_today():
        message = f"The {label} ({day.isoformat()}) is in the past; give a date from {earliest.isoformat()} on."
    else:
        message = f"The {label} must be after today; give a date from {earliest.isoformat()} on."
    raise ValidationFailed(message, field=field)


def parse_quantity(value: object, *, field: str, label: str = "The quantity") -> Decimal:
    """A positive number the quantity columns hold: no 1E12, no 0.0001, no NaN."""
    if value is None or str(value).strip() == "":
        raise ValidationFailed(f"{label} is required; enter a number such as 1200.", field=field)
    text = str(value).strip()
    if GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    try:
        quantity = Decimal(text)
    except (InvalidOperation, ValueError):
        quantity = Decimal("NaN")
    shown = f"“{_shown(value)}”"
    if not quantity.is_finite():
        raise ValidationFailed(f"{label} {shown} is not a number; enter a number such as 1200.", field=field)
    if quantity <= 0:
        raise ValidationFailed(f"{label} must be greater than zero.", field=field)
    # Size first: quantize() itself fails on huge exponents (e.g. 1e1000000).
    if quantity >= QUANTITY_LIMIT:
        raise ValidationFailed(
            f"{label} {shown} is too large; it can have at most {QUANTITY_INTEGER_DIGITS} digits before the "
            "decimal point.",
            field=field,
        )
    if quantity != quantity.quantize(QUANTITY_STEP):
        raise ValidationFailed(
            f"{label} {shown} has too many decimal places; it can have at most {QUANTITY_DECIMAL_PLACES} digits "
            "after the decimal point.",
            field=field,
        )
    return quantity


def parse_order_value(value: object, *, field: str, label: str) -> Decimal | None:
    """An optional amount in US dollars: positive, cents at most, what the column holds."""
    if is_blank(value):
        return None
    text = str(value).strip().removeprefix("$").strip()
    if GROUPED_NUMBER.fullmatch(text):  # 1,250,000.50; a decimal comma (12,5) is not an amount here
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    shown = f"“{_shown(value)}”"
    if not amount.is_finite():
        raise ValidationFailed(f"{label} {shown} is not an amount; enter US dollars such as 125000.", field=field)
    if amount <= 0:
        raise ValidationFailed(f"{label} must be greater than zero; leave it empty if unknown.", field=field)
    if amount >= ORDER_VALUE_LIMIT:
        raise ValidationFailed(f"{label} {shown} is too large. {ORDER_VALUE_HELP}", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(f"{label} {shown} has more than two decimal places (cents).", field=field)
    return amount


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def format_quantity(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def clean_text(value: object, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{label} is required.", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{label} must be at most {max_length} characters; it has {len(text)}.", field=field)
    if "\x00" in text:  # PostgreSQL cannot store a NUL character in text
        raise ValidationFailed(f"{label} contains a NUL character; remove it.", field=field)
    return text


# --- items ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryInput:
    required_date: object
    quantity: object = None  # the quantity due that day, when the item's quantity is split


@dataclass(frozen=True, kw_only=True)
class ItemInput:
    description: object
    quantity: object
    unit: object
    deliveries: Sequence[DeliveryInput]
    po_number: object = ""
    part_number: object = ""
    ship_to: object = ""
    # The application's only (drafts store them; orders, amendments and flow-down ignore them).
    quoted_date: object = None
    order_value: object = None


# What a stored item row (RequestLineItem, RatedOrderItem) holds of a CleanItem, by the same names.
ITEM_COLUMNS = ("po_number", "description", "part_number", "quantity", "unit", "ship_to")


@dataclass(frozen=True)
class CleanItem:
    number: int
    po_number: str
    description: str
    part_number: str
    quantity: Decimal
    unit: str
    ship_to: str
    deliveries: list[tuple[dt.date, Decimal | None]]  # by date
    quoted_date: dt.date | None = None
    order_value: Decimal | None = None

    @classmethod
    def from_row(cls, row: Any, *, number: int, deliveries: list[tuple[dt.date, Decimal | None]]) -> CleanItem:
        return cls(number=number, deliveries=deliveries, **{name: getattr(row, name) for name in ITEM_COLUMNS})

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ITEM_COLUMNS}

    def snapshot(self, position: int) -> dict[str, Any]:
        """The item as an order version stores and prints it (RatedOrderVersion.items_snapshot)."""
        return {
            "position": position,
            "description": self.description,
            "part_number": self.part_number,
            "po_number": self.po_number,
            "quantity": format_quantity(self.quantity),
            "unit": self.unit,
            "ship_to": self.ship_to,
            "required_dates": [
                {"date": day.isoformat(), "quantity": None if split is None else format_quantity(split)}
                for day, split in self.deliveries
            ],
        }


def clean_items(
    items: Sequence[ItemInput],
    *,
    field: str,
    numbers: Sequence[int] | None = None,
    earliest: dt.date | None = None,
    on_record: Mapping[int, Collection[dt.date]] | None = None,
) -> list[CleanItem]:
    """Every item checked before anything is written; the first problem is raised.

    Item n is named `{field}[n]` in errors and "Item n" in messages: n is `numbers[i]` (an
    order's positions) or i + 1. Required dates start at `earliest` (today, agency time zone,
    by default), except the dates `on_record` for that item, which may stay where they are.
    """
    if len(items) > MAX_ITEMS_PER_REQUEST:
        raise ValidationFailed(
            f"At most {MAX_ITEMS_PER_REQUEST} items fit one request or order; {len(items)} were given. "
            "Split them over several.",
            field=field,
        )
    first_day = earliest or agency_today()
    named = numbers or range(1, len(items) + 1)
    return [
        _clean_item(item, number=n, field=f"{field}[{n}]", earliest=first_day, kept=(on_record or {}).get(n, ()))
        for n, item in zip(named, items, strict=True)
    ]


def _clean_item(item: ItemInput, *, number: int, field: str, earliest: dt.date, kept: Collection[dt.date]) -> CleanItem:
    def text(name: str, label: str, max_length: int, required: bool = True) -> str:
        return clean_text(
            getattr(item, name),
            field=f"{field}.{name}",
            label=f"Item {number}: {label}",
            max_length=max_length,
            required=required,
        )

    return CleanItem(
        number=number,
        po_number=text("po_number", "the PO number", PO_NUMBER_MAX_LENGTH),
        description=text("description", "the description", DESCRIPTION_MAX_LENGTH),
        part_number=text("part_number", "the part number", PART_NUMBER_MAX_LENGTH, required=False),
        quantity=parse_quantity(item.quantity, field=f"{field}.quantity", label=f"Item {number}: the quantity"),
        unit=text("unit", "the unit", UNIT_MAX_LENGTH),
        ship_to=text("ship_to", "the ship-to address", SHIP_TO_MAX_LENGTH, required=False),
        deliveries=_clean_deliveries(
            item.deliveries, number=number, field=f"{field}.deliveries", earliest=earliest, kept=kept
        ),
        # A quote is any real date: one already past still tells the reviewer something.
        quoted_date=None
        if is_blank(item.quoted_date)
        else parse_date(
            item.quoted_date, field=f"{field}.quoted_date", label=f"supplier's quoted date of item {number}"
        ),
        order_value=parse_order_value(
            item.order_value, field=f"{field}.order_value", label=f"Item {number}: the order value"
        ),
    )


def _clean_deliveries(
    deliveries: Sequence[DeliveryInput], *, number: int, field: str, earliest: dt.date, kept: Collection[dt.date]
) -> list[tuple[dt.date, Decimal | None]]:
    if not deliveries:
        raise ValidationFailed(f"Item {number}: give at least one required delivery date.", field=field)
    if len(deliveries) > MAX_DATES_PER_ITEM:
        raise ValidationFailed(
            f"Item {number}: give at most {MAX_DATES_PER_ITEM} required delivery dates; {len(deliveries)} were "
            "given. The rated order prints them all beside the item.",
            field=field,
        )
    label = f"required delivery date of item {number}"
    cleaned: dict[dt.date, Decimal | None] = {}
    for index, delivery in enumerate(deliveries, start=1):
        where = f"{field}[{index}]"
        day = parse_date(delivery.required_date, field=f"{where}.required_date", label=label)
        if day not in kept:
            check_earliest(day, earliest=earliest, field=f"{where}.required_date", label=label)
        if day in cleaned:
            raise ValidationFailed(f"Item {number}: the date {day.isoformat()} is given twice.", field=field)
        split = None
        if delivery.quantity not in (None, ""):
            split = parse_quantity(
                delivery.quantity, field=f"{where}.quantity", label=f"Item {number}: the quantity due {day}"
            )
        cleaned[day] = split
    return sorted(cleaned.items())


def split_dates(text: str) -> list[str]:
    """Dates typed in one box, separated by commas or semicolons; each is parsed by parse_date."""
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def split_deliveries(text: str) -> list[DeliveryInput]:
    """Deliveries typed in one box: "2027-01-05: 500, 2027-02-14: 300" (a date, and after a colon
    the quantity due that day when the item's quantity is split), or plain dates."""
    parts: list[str] = []
    for part in split_dates(text):
        # "2027-01-05: 1,200" was split at its thousands comma: three digits continue the quantity.
        if parts and ":" in parts[-1] and re.fullmatch(r"\d{3}(?:\.\d*)?", part):
            parts[-1] += "," + part
        else:
            parts.append(part)
    deliveries = []
    for part in parts:
        day, _, quantity = part.partition(":")
        deliveries.append(DeliveryInput(day.strip(), quantity.strip() or None))
    return deliveries


def deliveries_text(required_dates: Sequence[Mapping[str, Any]]) -> str:
    """The inverse of split_deliveries for a stored item's `required_dates`."""
    return ", ".join(
        d["date"] + (f": {d['quantity']}" if d.get("quantity") not in (None, "") else "") for d in required_dates
    )


def refuse_past_dates(rating_request: RatingRequest, *, advice: str) -> None:
    """Time passes between input and decision: no order is issued with a required date already
    past (45 CFR 101.32(a)(2)). The first past date is named; `advice` says what to do."""
    today = agency_today()
    for item in rating_request.line_items.prefetch_related("deliveries"):
        for index, delivery in enumerate(item.deliveries.all(), start=1):
            if delivery.required_date < today:
                raise ValidationFailed(
                    f"Item {item.position}: the required delivery date {delivery.required_date.isoformat()} has "
                    f"passed (today is {today.isoformat()}); a rated order cannot be issued with a past date. "
                    + advice,
                    field=f"line_items[{item.position}].deliveries[{index}].required_date",
                )
