"""Form fields shared by the portal's forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from dpa_portal.errors import ValidationFailed
from ratings.services import items

DATE_HELP = f"{items.DATE_FORMS_TEXT}, e.g. 2027-03-15 or 03/15/2027"


class CalendarDateField(forms.Field):
    """One calendar date, typed as YYYY-MM-DD or MM/DD/YYYY and read by services.items.parse_date,
    the one date parser. `_field.html` wraps it in the USWDS date picker when JavaScript runs
    (the picker submits MM/DD/YYYY); without JavaScript it is a plain text box."""

    date_picker = True

    def __init__(self, *, date_label: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off"}))
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)
        self.date_label = date_label

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        try:
            return items.parse_date(value, field="", label=self.date_label)
        except ValidationFailed as error:
            raise forms.ValidationError(error.message, code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value
