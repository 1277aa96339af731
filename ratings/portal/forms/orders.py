"""Forms of the supplier's order page. They parse input only; ratings.services.suppliers.responses
decides what is valid, and its ApplicationError.field is shown beside the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from ratings.constants import OrganizationKind, RatingLevel, RejectionReason, rejection_reasons_for
from ratings.models import Organization
from ratings.portal.forms.fields import CalendarDateField
from ratings.portal.forms.requests import AREA, CHECK, DATES_HELP, SELECT, TEXT, TOO_MANY_ITEMS
from ratings.services import items
from ratings.services.suppliers.flowdown import SCOPE_BASIS_MAX_LENGTH


class AcceptForm(forms.Form):
    """Accepting is a signed record (who, printed name, UTC time, meaning); the box says so."""

    confirm = forms.BooleanField(
        label="I accept this rated order on behalf of my organization and will schedule it by its priority.",
        widget=forms.CheckboxInput(attrs=CHECK),
        error_messages={"required": "Tick the box to accept the order."},
    )


class RejectForm(forms.Form):
    """The reasons offered are those for the order's level, each with the rule it comes from."""

    reason_code = forms.ChoiceField(
        label="Reason for rejecting (15 CFR 700.13; 45 CFR 101.33)",
        choices=RejectionReason.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose the reason the order is rejected."},
    )
    explanation = forms.CharField(
        label="Explanation (the customer and HHS will read it)",
        max_length=4000,
        widget=forms.Textarea(attrs=AREA),
        error_messages={"required": "Explain the rejection in writing."},
    )
    earliest_date = CalendarDateField(
        label="Earliest date you can deliver, or the earliest date otherwise possible (required for the mandatory reasons)",
        date_label="earliest date",
        required=False,
    )
    offers_to_accept = forms.BooleanField(
        label="We offer to accept the order on the basis of that earliest date (required for the mandatory reasons).",
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    conflicting_level = forms.ChoiceField(
        label="Level of the accepted rated order it would interfere with (interference reasons only)",
        choices=RatingLevel.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )

    def __init__(self, *args: Any, level: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason: Any = self.fields["reason_code"]
        reason.choices = rejection_reasons_for(level)


class DelayForm(forms.Form):
    reasons = forms.CharField(
        label="Reasons for the delay",
        max_length=4000,
        widget=forms.Textarea(attrs=AREA),
        error_messages={"required": "Give the reasons for the delay."},
    )
    new_date = CalendarDateField(
        label="New delivery date",
        date_label="new delivery date",
        error_messages={"required": "Give the new delivery date."},
    )


class ConfirmDelayForm(DelayForm):
    """The supplier's written confirmation of a delay it reported outside the portal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reasons"].label = "Reasons for the delay, in writing"


class FulfilForm(forms.Form):
    confirm = forms.BooleanField(
        label="Every item of this order has been delivered.",
        widget=forms.CheckboxInput(attrs=CHECK),
        error_messages={"required": "Tick the box to mark the order fulfilled."},
    )


class FlowdownForm(forms.Form):
    """The order a supplier placed with its own supplier to fill this rated order (45 CFR 101.35)."""

    sub_supplier = forms.ModelChoiceField(
        label="Your supplier",
        queryset=Organization.objects.none(),
        empty_label="- Select -",
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": "Choose the supplier you placed the order with."},
    )
    po_number = forms.CharField(
        label="Your PO number", max_length=items.PO_NUMBER_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT)
    )

    password = forms.CharField(
        label="Your password, to sign the order",
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
        help_text="Extending the rating is a signature (21 CFR 11.200): it needs your credentials now.",
        error_messages={"required": "Re-enter your password to sign the order."},
    )

    def __init__(self, *args: Any, own: list[Organization] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own_ids = [org.pk for org in own or []]
        self.fields["sub_supplier"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.filter(kind=OrganizationKind.SUPPLIER, is_active=True)
            .exclude(pk__in=own_ids)
            .order_by("legal_name")
        )
        self.fields["sub_supplier"].label_from_instance = lambda org: org.legal_name  # type: ignore[attr-defined]


class FlowdownItemForm(forms.Form):
    """One item of the order extended to the sub-tier supplier; services.items checks its
    quantity and dates (the errors come back beside these fields)."""

    description = forms.CharField(
        label="Item description", max_length=items.DESCRIPTION_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT)
    )
    part_number = forms.CharField(
        label="Part number", required=False, max_length=items.PART_NUMBER_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT)
    )
    quantity = forms.CharField(label="Quantity", widget=forms.TextInput(attrs=TEXT), help_text=items.QUANTITY_HELP)
    unit = forms.CharField(label="Unit", max_length=items.UNIT_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT))
    required_dates = forms.CharField(
        label="Required delivery date(s)", widget=forms.TextInput(attrs=TEXT), help_text=DATES_HELP
    )
    scope_basis = forms.CharField(
        label="Basis for the quantity (only when the unit is not one your customer's order uses)",
        required=False,
        max_length=SCOPE_BASIS_MAX_LENGTH,
        widget=forms.Textarea(attrs={**AREA, "rows": 2}),
        help_text="e.g. 6,000 kg of resin moulds the 4,820 filter housings of items 1-3. The cap on the quantity "
        "applies only within the same unit; in another unit, say why this quantity is needed.",
    )

    def dates(self) -> list[str]:
        return items.split_dates(self.cleaned_data.get("required_dates", ""))


class BaseFlowdownItemFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": TOO_MANY_ITEMS,
        "too_few_forms": "Give at least one item of the order you placed with your supplier.",
    }


FlowdownItemFormSet = formset_factory(
    FlowdownItemForm,
    formset=BaseFlowdownItemFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=items.MAX_ITEMS_PER_REQUEST,
    absolute_max=items.MAX_ITEMS_PER_REQUEST,
)
