"""Forms with which the party that placed an order amends or cancels it (45 CFR 101.36(a)(2)).
Both are signatures: the password (and a fresh authenticator code where one is used) is asked
again. They parse input only; ratings.services.orders.changes decides what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from ratings.portal.forms.requests import AREA, TEXT
from ratings.services import items
from ratings.services.orders import amended_items
from ratings.services.orders.amended_items import AmendedItem

# An amendment error names the item by position ("items[2].quantity"): the field it goes beside.


def _signing_fields(form: forms.Form, *, reason_label: str, password_required: bool = True) -> None:
    form.fields["reason"] = forms.CharField(
        label=reason_label, max_length=4000, widget=forms.Textarea(attrs={**AREA, "rows": 3})
    )
    form.fields["password"] = forms.CharField(
        label="Your password, to sign",
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
        help_text="A written notice to the supplier is a signature (21 CFR 11.200): it needs your credentials now.",
        required=password_required,
        error_messages={"required": "Re-enter your password to sign."},
    )
    form.fields["otp"] = forms.CharField(
        label="Authenticator code (if you use one)",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PlacedCancelForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _signing_fields(self, reason_label="Why the order is cancelled (the supplier reads it)")


class PlacedAmendForm(forms.Form):
    """One group of fields per item of the current version; an emptied quantity removes the item."""

    def __init__(self, *args: Any, items_now: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items_now = items_now
        for item in items_now:
            n = item["position"]
            self.fields[f"quantity_{n}"] = forms.CharField(
                label=f"Item {n} ({item['description']}): quantity ({item['unit']})",
                initial=item["quantity"],
                required=False,
                widget=forms.TextInput(attrs=TEXT),
                help_text="Leave empty to remove the item. " + items.QUANTITY_HELP,
            )
            self.fields[f"dates_{n}"] = forms.CharField(
                label=f"Item {n}: required delivery dates",
                initial=items.deliveries_text(item["required_dates"]),
                required=False,
                widget=forms.TextInput(attrs=TEXT),
                help_text="YYYY-MM-DD, separated by commas; a split delivery gives the quantity due that day after a "
                "colon: 2027-01-05: 500, 2027-02-14: 300.",
            )
            self.fields[f"ship_to_{n}"] = forms.CharField(
                label=f"Item {n}: ship to",
                initial=item["ship_to"],
                required=False,
                max_length=items.SHIP_TO_MAX_LENGTH,
                widget=forms.TextInput(attrs=TEXT),
            )
        # Asking the supplier to agree first signs nothing: the password is only needed to send.
        _signing_fields(self, reason_label="Why the order changes (the supplier reads it)", password_required=False)

    def field_for(self, name: str | None) -> str | None:
        """The field a service error belongs beside; None: the top of the form."""
        name = amended_items.form_input_for(name)
        return name if name in self.fields else None

    def amended_items(self) -> list[AmendedItem]:
        return amended_items.from_form(self.items_now, self.cleaned_data)


class SignOnlyForm(forms.Form):
    """A signature on something already written (the supplier's agreement; applying it)."""

    password = forms.CharField(
        label="Your password, to sign",
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
        error_messages={"required": "Re-enter your password to sign."},
    )
    otp = forms.CharField(
        label="Authenticator code (if you use one)",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
