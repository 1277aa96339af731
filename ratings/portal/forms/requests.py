"""Portal forms. They parse input only; the services in ratings.services decide what is valid
and their ApplicationError.field is mapped back onto these fields (see views.field_error)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms import formset_factory

from ratings import uploads
from ratings.constants import HealthResourceCategory, OrganizationKind, RatingLevel, RequestState
from ratings.constants_application import FdaStatus
from ratings.models import Organization, Program
from ratings.services import items
from ratings.services.requests import need

TEXT = {"class": "usa-input"}
AREA = {"class": "usa-textarea"}
SELECT = {"class": "usa-select"}
CHECK = {"class": "usa-checkbox__input"}
DATES_HELP = (
    f"{items.DATE_FORMS_TEXT}; separate several dates (at most {items.MAX_DATES_PER_ITEM}) with commas. "
    "“ASAP” is not a date."
)
TOO_MANY_ITEMS = (
    f"At most {items.MAX_ITEMS_PER_REQUEST} items fit one request or order; remove some and put them in another."
)


def accepted_files_text() -> str:
    limit_mb = settings.ATTACHMENT_MAX_BYTES / 1_048_576
    return f"Accepted: {uploads.ACCEPTED_TYPES_TEXT}, up to {limit_mb:.0f} MB each. The type is checked from the content, not the name."


class DetailsForm(forms.Form):
    """Step 1: the applicant's program, rating level, category and emergency status."""

    government_program = forms.CharField(
        label="Government program or contract the orders support",
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )
    contract_number = forms.CharField(
        label="Government contract number", required=False, max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    contracting_agency = forms.CharField(
        label="Contracting agency",
        required=False,
        max_length=need.CONTRACTING_AGENCY_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT),
        help_text="The agency that awarded the contract; needed at submission when you give a contract number.",
    )
    contracting_officer = forms.CharField(
        label="Contracting officer",
        required=False,
        max_length=need.CONTRACTING_OFFICER_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT),
        help_text="Name, and e-mail or telephone.",
    )
    end_customer = forms.CharField(
        label="End customer / end user, if different from your organization",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )
    health_resource = forms.CharField(
        label="Health resource produced", max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    category = forms.ChoiceField(
        label="Health-resource category",
        choices=[("", "- Select -"), *HealthResourceCategory.choices],
        widget=forms.Select(attrs=SELECT),
    )
    fda_status = forms.ChoiceField(
        label="FDA regulatory status of the health resource",
        required=False,
        choices=[("", "- Select -"), *FdaStatus.choices],
        widget=forms.Select(attrs=SELECT),
        help_text="Needed at submission.",
    )
    fda_number = forms.CharField(
        label="FDA application, approval or listing number",
        required=False,
        max_length=need.FDA_NUMBER_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT),
        help_text="e.g. BLA 125742, EUA 27073, K201234, NDC 59267-1000; not needed for “other” or "
        "“not an FDA-regulated product”.",
    )
    fda_status_other = forms.CharField(
        label="FDA status, if “other”",
        required=False,
        max_length=need.FDA_STATUS_OTHER_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT),
    )
    related_rated_orders = forms.CharField(
        label="Related rated orders",
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=need.RELATED_ORDERS_HELP,
    )
    program = forms.ChoiceField(label="Program", widget=forms.Select(attrs=SELECT))
    requested_level = forms.ChoiceField(
        label="Rating level requested",
        choices=RatingLevel.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        help_text="DX outranks DO and is approved only at Secretary level.",
    )
    is_emergency = forms.BooleanField(
        label="This is an emergency preparedness order", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    emergency_response_hours = forms.IntegerField(
        label="Hours the supplier has to accept or reject (emergency orders only)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programs = Program.objects.filter(is_active=True).order_by("symbol")
        self.fields["program"].choices = [("", "- Select -")] + [(str(p.pk), str(p)) for p in programs]  # type: ignore[attr-defined]


class JustificationForm(forms.Form):
    """Step 3: why the rating is needed (BIS-999 justification)."""

    end_use = forms.CharField(
        label="End use: what the items are finally used for, and by whom",
        required=False,  # a draft may leave it open; submission requires it
        max_length=need.END_USE_MAX_LENGTH,
        widget=forms.Textarea(attrs=AREA),
        help_text="Needed at submission.",
    )
    justification_need = forms.CharField(
        label="The need: what the orders are for and why they are needed",
        widget=forms.Textarea(attrs=AREA),
    )
    justification_efforts = forms.CharField(
        label="Efforts already made to get the items without a rating", widget=forms.Textarea(attrs=AREA)
    )
    justification_impact = forms.CharField(label="Impact of a delay", widget=forms.Textarea(attrs=AREA))


class LineItemForm(forms.Form):
    """Step 2: one order to be rated. Dates are typed (YYYY-MM-DD or MM/DD/YYYY) so the page works without JavaScript.
    Lengths are the database's (services.items); the service checks quantities and dates."""

    supplier = forms.ChoiceField(label="Supplier", widget=forms.Select(attrs=SELECT))
    po_number = forms.CharField(
        label="Supplier's PO number", max_length=items.PO_NUMBER_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT)
    )
    description = forms.CharField(
        label="Item description", max_length=items.DESCRIPTION_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT)
    )
    part_number = forms.CharField(
        label="Part number", required=False, max_length=items.PART_NUMBER_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT)
    )
    quantity = forms.CharField(label="Quantity", widget=forms.TextInput(attrs=TEXT), help_text=items.QUANTITY_HELP)
    unit = forms.CharField(
        label="Unit",
        max_length=items.UNIT_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT),
        help_text="e.g. each, case, kg",
    )
    required_dates = forms.CharField(
        label="Required delivery date(s)", widget=forms.TextInput(attrs=TEXT), help_text=DATES_HELP
    )
    quoted_date = forms.CharField(
        label="Supplier's quoted or promised delivery date (optional)",
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text="YYYY-MM-DD: what the supplier offers without a rating; HHS sets it against your required dates.",
    )
    order_value = forms.CharField(
        label="Order value (optional)",
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=items.ORDER_VALUE_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suppliers = Organization.objects.filter(kind=OrganizationKind.SUPPLIER, is_active=True).order_by("legal_name")
        self.fields["supplier"].choices = [("", "- Select -")] + [(str(s.pk), s.legal_name) for s in suppliers]  # type: ignore[attr-defined]

    def dates(self) -> list[str]:
        return items.split_dates(self.cleaned_data.get("required_dates", ""))


class BaseLineItemFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": TOO_MANY_ITEMS}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        # The formset's own "remove" box, in words and with USWDS styling.
        form.fields["DELETE"].label = "Remove this item when saving"
        form.fields["DELETE"].widget.attrs.update(CHECK)


LineItemFormSet = formset_factory(
    LineItemForm,
    formset=BaseLineItemFormSet,
    extra=0,
    can_delete=True,
    max_num=items.MAX_ITEMS_PER_REQUEST,
    absolute_max=items.MAX_ITEMS_PER_REQUEST,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="File to attach",
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input__input"}),
        error_messages={"required": "Choose a file to upload."},
    )


class CertifyForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name as your signature", max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    certify = forms.BooleanField(
        label="I certify the statement above.", required=True, widget=forms.CheckboxInput(attrs=CHECK)
    )


class ResubmitForm(CertifyForm):
    """Certifying a request HHS returned for correction, with a note on what was corrected."""

    note = forms.CharField(
        label="What you corrected (optional)",
        required=False,
        widget=forms.Textarea(attrs={**AREA, "rows": 3}),
        help_text="HHS sees this note beside the changes between your submissions.",
    )


class RespondForm(forms.Form):
    response = forms.CharField(label="Your answer to HHS", widget=forms.Textarea(attrs=AREA))
    file = forms.FileField(
        label="Supporting file (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input__input"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why are you withdrawing this request?", widget=forms.Textarea(attrs=AREA))


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *RequestState.choices],
        widget=forms.Select(attrs=SELECT),
    )
    q = forms.CharField(
        label="Search by reference or item",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "usa-input", "type": "search"}),
    )
