"""Reaching every supplier from the portal: the applicant names a contact e-mail for each supplier
of its request that has no portal contact (the order notice and an invitation go there when the
order is issued), and a supplier's contact administrator invites colleagues."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from dpa_portal.errors import ApplicationError
from ratings.constants import Role
from ratings.models import Membership, Organization
from ratings.permissions_casework import manages_contacts_of
from ratings.portal.access import (
    actor,
    applicant_only,
    get_my_order,
    get_my_request,
    render_portal,
    supplier_only,
    supplier_organizations,
)
from ratings.portal.forms.requests import TEXT
from ratings.portal.views.wizard import field_error
from ratings.services.accounts import invitations
from ratings.services.suppliers import reach


class ContactForm(forms.Form):
    supplier = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.CharField(label="Contact e-mail", max_length=254, widget=forms.EmailInput(attrs=TEXT))
    first_name = forms.CharField(label="First name", max_length=150, required=False, widget=forms.TextInput(attrs=TEXT))
    last_name = forms.CharField(label="Last name", max_length=150, required=False, widget=forms.TextInput(attrs=TEXT))


@applicant_only
@require_http_methods(["GET", "POST"])
def request_supplier_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    rr = get_my_request(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supplier = Organization.objects.filter(pk=form.cleaned_data["supplier"]).first()
        if supplier is None:
            raise Http404("No such supplier.")
        try:
            reach.rating_request_name_supplier_contact(
                rating_request=rr,
                actor=actor(request),
                supplier=supplier,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, f"The order for {supplier.legal_name} will go to {form.cleaned_data['email']}.")
            return redirect("portal:request-supplier-contacts", pk=rr.pk)
    suppliers = sorted({item.supplier for item in rr.line_items.select_related("supplier")}, key=lambda s: s.legal_name)
    named = {n.supplier_id: n for n in rr.supplier_nominations.all()}
    rows = [(s, reach.has_active_contact(s.pk), named.get(s.pk)) for s in suppliers]
    context = {"rr": rr, "rows": rows, "form": form}
    return render_portal(
        request, "portal/supplier_contacts.html", context, legend=True, status=400 if form.errors else 200
    )


class ColleagueForm(forms.Form):
    email = forms.CharField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs=TEXT))
    first_name = forms.CharField(label="First name", max_length=150, widget=forms.TextInput(attrs=TEXT))
    last_name = forms.CharField(label="Last name", max_length=150, widget=forms.TextInput(attrs=TEXT))


@supplier_only
@require_http_methods(["GET", "POST"])
def supplier_contacts(request: HttpRequest) -> HttpResponse:
    """A supplier's contact administrator sees its colleagues and invites more."""
    managed = [o for o in supplier_organizations(request.user) if manages_contacts_of(request.user, o.pk)]
    if not managed:
        raise Http404("No such page.")
    organization = managed[0]
    form = ColleagueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.supplier_contact_invite(
                organization=organization,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                actor=actor(request),
            )
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(
                request, f"{form.cleaned_data['email']} is invited; they choose a password from the e-mail."
            )
            return redirect("portal:supplier-contacts")
    colleagues = Membership.objects.filter(organization=organization, role=Role.SUPPLIER_CONTACT).select_related("user")
    context = {"organization": organization, "colleagues": colleagues, "form": form}
    return render_portal(request, "portal/colleagues.html", context, status=400 if form.errors else 200)


class SubSupplierForm(forms.Form):
    legal_name = forms.CharField(label="Your supplier's legal name", max_length=200, widget=forms.TextInput(attrs=TEXT))
    uei = forms.CharField(label="Its UEI (SAM.gov)", max_length=12, widget=forms.TextInput(attrs=TEXT))
    contact_email = forms.CharField(
        label="E-mail of the person who answers rated orders there", max_length=254, widget=forms.EmailInput(attrs=TEXT)
    )
    manufacturing_country = forms.CharField(
        label="Country where it makes the item",
        max_length=2,
        help_text="Two-letter code, e.g. US",
        widget=forms.TextInput(attrs=TEXT),
    )


@supplier_only
@require_http_methods(["GET", "POST"])
def order_name_sub_supplier(request: HttpRequest, order_number: str) -> HttpResponse:
    """A supplier names its own supplier, not yet in the portal, before extending the rating to it."""
    order = get_my_order(request.user, order_number)
    form = SubSupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            named = reach.sub_supplier_name(order=order, actor=actor(request), **form.cleaned_data)
        except ApplicationError as error:
            field_error(form, error)
        else:
            messages.success(request, f"{named.legal_name} is in the portal and its contact invited: choose it below.")
            return redirect("portal:order-flowdown", order_number=order.order_number)
    context = {"order": order, "form": form}
    return render_portal(request, "portal/sub_supplier.html", context, legend=True, status=400 if form.errors else 200)
