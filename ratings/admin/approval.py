"""The approval form: the level approved and, in one table, each item's decision (include or
leave out, the quantity approved or the quantity per split delivery date, the reason), then the
signature. The form only parses; services.requests.decisions checks the decision and its
messages name the row's fields (items[3].quantity -> item_3_quantity)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms

from ratings.constants import LEVEL_RANK, SIGNATURE_MEANING_AUTHORIZATION, RatingLevel
from ratings.models import RatingRequest, RequestLineItem
from ratings.services.items import format_quantity
from ratings.services.requests.decisions import DecisionInput, ItemDecisionInput

FORM_ID = "transition-form"  # the table sits beside the case, outside the <form>, and posts with it
ITEM_ERROR = re.compile(r"items\[(\d+)\]\.(quantity|reason|splits)")


def _text(label: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}), required=False, label=label, help_text=help_text
    )


def _cell(label: str, *, size: int) -> forms.CharField:
    return forms.CharField(
        required=False,
        label=label,
        widget=forms.TextInput(attrs={"form": FORM_ID, "size": size, "inputmode": "decimal" if size < 12 else "text"}),
    )


@dataclass
class ItemRow:
    """One row of the decision table: the item as requested and its inputs."""

    number: int
    line: RequestLineItem
    exclude: forms.BoundField
    quantity: forms.BoundField | None  # None: split over dates, decided per date
    splits: list[tuple[str, str, forms.BoundField]]  # date, requested, input
    reason: forms.BoundField

    @property
    def requested(self) -> str:
        return f"{format_quantity(self.line.quantity)} {self.line.unit}"

    @property
    def errors(self) -> list[str]:
        fields = [self.exclude, self.reason, *([self.quantity] if self.quantity else []), *(s[2] for s in self.splits)]
        return [str(error) for field in fields for error in field.errors]


class ApproveForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    approved_level = forms.ChoiceField(
        required=False,
        label="Level approved",
        help_text="At most the level requested; a lower level needs a reason the applicant sees.",
    )
    level_reason = _text("Why a lower level", 2, "Shown to the applicant and printed on the authorization.")
    reason = _text("Decision note", 3)
    password = forms.CharField(widget=forms.PasswordInput, required=False, label="Your password")
    otp = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="A fresh 6-digit code from your authenticator app: the second factor of your signature.",
    )
    signature_meaning = SIGNATURE_MEANING_AUTHORIZATION
    decides_items = True

    def __init__(self, *args: Any, rating_request: RatingRequest, user: Any = None, **kwargs: Any):
        self.rating_request = rating_request
        requested = rating_request.requested_level
        # Defaults to the level requested (who decides holds authority for it, ratings.permissions).
        kwargs["initial"] = {"approved_level": requested, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        level_field = self.fields["approved_level"]
        assert isinstance(level_field, forms.ChoiceField)
        level_field.choices = [
            (value, label) for value, label in RatingLevel.choices if LEVEL_RANK[value] <= LEVEL_RANK[requested]
        ]
        self.lines = list(
            rating_request.line_items.select_related("supplier").prefetch_related("deliveries").order_by("position")
        )
        for number, line in enumerate(self.lines, start=1):
            # "Leave out", not "include": a post without the box (an older page) approves as requested.
            self.fields[f"item_{number}_exclude"] = forms.BooleanField(
                required=False,
                label=f"Leave out item {number}",
                widget=forms.CheckboxInput(attrs={"form": FORM_ID}),
            )
            deliveries = list(line.deliveries.all())
            if deliveries and all(d.quantity is not None for d in deliveries):
                for index, delivery in enumerate(deliveries, start=1):
                    field = _cell(f"Item {number}: quantity approved for {delivery.required_date.isoformat()}", size=8)
                    field.initial = format_quantity(delivery.quantity)
                    self.fields[f"item_{number}_split_{index}"] = field
            else:
                field = _cell(f"Item {number}: quantity approved ({line.unit})", size=8)
                field.initial = format_quantity(line.quantity)
                self.fields[f"item_{number}_quantity"] = field
            self.fields[f"item_{number}_reason"] = _cell(f"Item {number}: reason if left out or reduced", size=22)

    def side_fields(self) -> list[forms.BoundField]:
        """What the form column shows; the item inputs are in the table."""
        return [f for f in self.visible_fields() if f.name != "password" and not f.name.startswith("item_")]

    def item_rows(self) -> list[ItemRow]:
        rows = []
        for number, line in enumerate(self.lines, start=1):
            deliveries = list(line.deliveries.all())
            splits = [
                (d.required_date.isoformat(), format_quantity(d.quantity), self[f"item_{number}_split_{index}"])
                for index, d in enumerate(deliveries, start=1)
                if f"item_{number}_split_{index}" in self.fields
            ]
            quantity = self[f"item_{number}_quantity"] if f"item_{number}_quantity" in self.fields else None
            rows.append(
                ItemRow(number, line, self[f"item_{number}_exclude"], quantity, splits, self[f"item_{number}_reason"])
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choices = []
        for number, line in enumerate(self.lines, start=1):
            splits = {
                d.required_date.isoformat(): data.get(f"item_{number}_split_{index}", "")
                for index, d in enumerate(line.deliveries.all(), start=1)
                if f"item_{number}_split_{index}" in self.fields
            }
            choices.append(
                ItemDecisionInput(
                    number=number,
                    include=not data.get(f"item_{number}_exclude"),
                    quantity=data.get(f"item_{number}_quantity"),
                    splits=splits,
                    reason=data.get(f"item_{number}_reason", ""),
                )
            )
        data["decision"] = DecisionInput(
            level=data.get("approved_level", ""), level_reason=data.get("level_reason", ""), items=choices
        )
        return data

    def error_field(self, field: str) -> str | None:
        """The form field a service error names (None: the whole form)."""
        if field in self.fields:
            return field
        match = ITEM_ERROR.fullmatch(field or "")
        if match is None:
            return None
        number, part = match.groups()
        if part == "splits":
            return f"item_{number}_split_1" if f"item_{number}_split_1" in self.fields else None
        name = f"item_{number}_{part}"
        return name if name in self.fields else None
