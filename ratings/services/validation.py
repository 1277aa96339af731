"""Parsing of what people type, with messages that say how to fix it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from dpa_portal.errors import ValidationFailed

NOT_A_DATE_WORDS = {"asap", "immediately", "now", "urgent", "tbd", "as soon as possible"}


def parse_required_date(value: object, *, field: str, today: dt.date | None = None) -> dt.date:
    """A required delivery date: a real calendar date, today or later (45 CFR 101.32(a)(2))."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ValidationFailed("Enter a required delivery date.", field=field)
        if text.lower() in NOT_A_DATE_WORDS:
            raise ValidationFailed(
                f"“{text}” is not a delivery date: a rated order needs a calendar date (YYYY-MM-DD) "
                "for each item (45 CFR 101.32).",
                field=field,
            )
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationFailed(
                f"“{text}” is not a real calendar date; use the form YYYY-MM-DD, e.g. 2026-12-15.",
                field=field,
            ) from None
    today = today or timezone.localdate()
    if day < today:
        raise ValidationFailed(
            f"The required delivery date {day.isoformat()} is in the past; give a date from {today.isoformat()} on.",
            field=field,
        )
    return day


def parse_quantity(value: object, *, field: str) -> Decimal:
    if value is None or str(value).strip() == "":
        raise ValidationFailed("Enter a quantity, such as 1200.", field=field)
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"“{value}” is not a number; enter a quantity such as 1200.", field=field) from None
    if not quantity.is_finite():
        raise ValidationFailed(f"“{value}” is not a number; enter a quantity such as 1200.", field=field)
    if quantity <= 0:
        raise ValidationFailed("The quantity must be greater than zero.", field=field)
    # Size first: quantize() itself fails on huge exponents (e.g. 1e1000000).
    if quantity >= Decimal("1e11") or quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationFailed(
            "The quantity has too many digits (at most 11 before and 3 after the point).",
            field=field,
        )
    return quantity


def require_text(value: object, *, field: str, label: str, max_length: int | None = None) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(f"{label} is required.", field=field)
    if max_length and len(text) > max_length:
        raise ValidationFailed(f"{label} must be at most {max_length} characters.", field=field)
    return text
