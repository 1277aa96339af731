"""Suppliers report their capacity and lead time per item family, for the programs that ask for
it: the page lists what is asked of their organization, what was last reported and what is due."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dpa_portal.errors import ApplicationError
from ratings.models import ItemFamily, Organization, Program
from ratings.portal.access import actor, render_portal, supplier_only, supplier_organizations
from ratings.selectors.program.capacity import expected_reports
from ratings.selectors.program.filters import ProgramFilters
from ratings.services import items
from ratings.services.program import capacity


class CapacityForm(forms.Form):
    supplier = forms.ModelChoiceField(queryset=Organization.objects.none(), label="Your organization")
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    family = forms.ModelChoiceField(queryset=ItemFamily.objects.all(), label="Item family")
    capacity = forms.CharField(
        label="Capacity (quantity you can deliver in 30 days)", max_length=20, help_text="0 if you can make none."
    )
    unit = forms.CharField(max_length=items.UNIT_MAX_LENGTH, help_text="e.g. each, box, case, kg.")
    lead_time_days = forms.CharField(label="Lead time (days from order to first delivery)", max_length=5)

    def __init__(self, *args: Any, suppliers: list[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        supplier_field: Any = self.fields["supplier"]
        supplier_field.queryset = Organization.objects.filter(pk__in=[s.pk for s in suppliers])
        program_field: Any = self.fields["program"]
        program_field.queryset = Program.objects.filter(capacity_report_days__gt=0)
        if len(suppliers) == 1:
            supplier_field.initial = suppliers[0].pk


@supplier_only
def capacity_reports(request: HttpRequest) -> HttpResponse:
    suppliers = supplier_organizations(request.user)
    form = CapacityForm(request.POST or None, suppliers=suppliers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            capacity.capacity_report_submit(
                supplier=data["supplier"],
                actor=actor(request),
                program=data["program"],
                family=data["family"],
                capacity=data["capacity"],
                unit=data["unit"],
                lead_time_days=data["lead_time_days"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Your capacity for {data['family']} is recorded.")
            return redirect("portal:capacity")
    expected = expected_reports(ProgramFilters.default(), {s.pk for s in suppliers})
    return render_portal(request, "portal/capacity.html", {"form": form, "expected": expected}, legend=True)
