"""The form an authorized signer places a rated order with: pre-filled from the authorization.
It parses input only; services.orders.placing decides what is within the authorization, and its
ApplicationError.field ("items[n].quantity", "po_number"...) is shown beside the field it names."""

from __future__ import annotations

from typing import Any

from django import forms

from ratings.portal.forms.requests import CHECK, TEXT
from ratings.services import items
from ratings.services.orders.placing import PlacedItemInput

DELIVERIES_HELP = (
    "One or more dates within the authorized window, separated by commas; to split the quantity, "
    "give each date's quantity after a colon, e.g. 2027-01-04: 500, 2027-02-13: 1,200."
)


def deliveries_text(required_dates: list[dict[str, Any]]) -> str:
    """Written as the amendment form writes it (items.deliveries_text): one syntax for a split."""
    return items.deliveries_text(required_dates)


def parse_deliveries(text: str) -> list[items.DeliveryInput]:
    """The item validator's reading ("date: quantity", thousands separators kept); "date=quantity",
    which this form once showed, is read the same way."""
    return items.split_deliveries(text.replace("=", ":"))


class PlaceOrderForm(forms.Form):
    po_number = forms.CharField(
        label="Your purchase order number",
        max_length=items.PO_NUMBER_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": "Give your purchase order number."},
    )
    password = forms.CharField(
        label="Your password, to sign the rated order",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
        help_text="Placing a rated order is your signature for your organization (45 CFR 101.32(a)(3); "
        "21 CFR 11.200): it needs your credentials now.",
    )
    otp = forms.CharField(
        label="Authenticator code (if your organization requires one)",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, authorized: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authorized = authorized
        for item in authorized:
            n = item["position"]
            self.fields[f"include_{n}"] = forms.BooleanField(
                label=f"Order item {n}: {item['description']}",
                required=False,
                initial=True,
                widget=forms.CheckboxInput(attrs=CHECK),
            )
            self.fields[f"quantity_{n}"] = forms.CharField(
                label=f"Quantity ({item['unit']}; at most {item['quantity']})",
                initial=item["quantity"],
                widget=forms.TextInput(attrs=TEXT),
            )
            self.fields[f"deliveries_{n}"] = forms.CharField(
                label=f"Required delivery date(s), {item['window_start']} to {item['window_end']}",
                initial=deliveries_text(item["required_dates"]),
                widget=forms.TextInput(attrs=TEXT),
                help_text=DELIVERIES_HELP,
            )
            self.fields[f"ship_to_{n}"] = forms.CharField(
                label="Ship to",
                required=False,
                initial=item["ship_to"],
                max_length=items.SHIP_TO_MAX_LENGTH,
                widget=forms.TextInput(attrs=TEXT),
            )

    def item_groups(self) -> list[dict[str, Any]]:
        return [
            {
                "item": item,
                "fields": [
                    self[f"{name}_{item['position']}"] for name in ("include", "quantity", "deliveries", "ship_to")
                ],
            }
            for item in self.authorized
        ]

    def placed_items(self) -> list[PlacedItemInput]:
        data = self.cleaned_data
        return [
            PlacedItemInput(
                position=item["position"],
                quantity=data.get(f"quantity_{item['position']}", ""),
                deliveries=parse_deliveries(data.get(f"deliveries_{item['position']}", "")),
                ship_to=data.get(f"ship_to_{item['position']}", ""),
            )
            for item in self.authorized
            if data.get(f"include_{item['position']}")
        ]
