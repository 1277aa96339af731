"""Forms of the customer's order page (the party that placed the order). They parse input only;
the services decide what is valid and name the field an error belongs beside."""

from __future__ import annotations

from typing import Any

from django import forms

from ratings.constants_assistance import AssistanceProblem, AssistanceUrgency
from ratings.portal.forms.fields import CalendarDateField
from ratings.portal.forms.requests import AREA, CHECK, TEXT
from ratings.services import items


class AcceptOfferForm(forms.Form):
    confirm = forms.BooleanField(
        label="We accept the date the supplier offered; prepare the amendment of our order to that date.",
        widget=forms.CheckboxInput(attrs=CHECK),
        error_messages={"required": "Tick the box to accept the supplier's offer."},
    )


class DelayReportForm(forms.Form):
    """A delay the supplier told the customer about outside the portal (phone, meeting)."""

    channel = forms.CharField(
        label="How the supplier reported the delay",
        max_length=100,
        widget=forms.TextInput(attrs=TEXT),
        help_text="e.g. phone call from the plant manager on 2026-12-01",
    )
    reasons = forms.CharField(label="Reasons the supplier gave", max_length=4000, widget=forms.Textarea(attrs=AREA))
    new_date = CalendarDateField(label="New delivery date the supplier gave", date_label="new delivery date")


class OpenCaseForm(forms.Form):
    """The request for special priorities assistance (15 CFR 700.50-700.55; BIS-999's questions)."""

    problem = forms.ChoiceField(
        label="What is wrong",
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose what is wrong with the order."},
    )
    urgency = forms.ChoiceField(
        label="How urgent",
        choices=AssistanceUrgency.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose how urgent the help is."},
    )
    tried = forms.CharField(
        label="What you already tried with the supplier", max_length=4000, widget=forms.Textarea(attrs=AREA)
    )
    impact = forms.CharField(
        label="Impact of the delay on the program", max_length=4000, widget=forms.Textarea(attrs=AREA)
    )
    needed_dates = forms.CharField(
        label="Delivery date(s) you need",
        widget=forms.TextInput(attrs=TEXT),
        help_text=f"{items.DATE_FORMS_TEXT}, separated by commas",
    )

    def __init__(self, *args: Any, problems: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["problem"]
        field.choices = [(p, AssistanceProblem(p).label) for p in problems]

    def dates(self) -> list[str]:
        return items.split_dates(self.cleaned_data.get("needed_dates", ""))


class CaseAnswerForm(forms.Form):
    answer = forms.CharField(label="Your answer to HHS", max_length=4000, widget=forms.Textarea(attrs=AREA))


class AcknowledgeDirectiveForm(forms.Form):
    confirm = forms.BooleanField(
        label="We received this directive from HHS and will comply with it.",
        widget=forms.CheckboxInput(attrs=CHECK),
        error_messages={"required": "Tick the box to acknowledge the directive."},
    )
