"""Where HHS itself is the customer, in the HHS staff workspace: an approving official signs HHS's
customer authorization (HHS's contract, its items, suppliers and delivery windows), and HHS's
authorized signer places each rated order under it. Both pages call one service each
(services.authorizations.hhs_customer, services.orders.placing); who may is decided there."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.constants import OrganizationKind, RatingLevel, Role
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import Organization, Program, RatingAuthorization, User
from ratings.services.authorizations import hhs_customer
from ratings.services.items import DeliveryInput
from ratings.services.orders import placing

TEMPLATE = "admin/ratings/ratingauthorization/hhs_customer_form.html"


def _signing_fields(form: forms.Form) -> None:
    form.fields["password"] = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Re-enter your password to sign (21 CFR 11.200)."
    )
    form.fields["otp"] = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="A fresh 6-digit code from your authenticator app: the second factor of your signature.",
    )


class CustomerAuthorizationForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.filter(is_active=True))
    level = forms.ChoiceField(choices=RatingLevel.choices, initial=RatingLevel.DO)
    hhs_contract = forms.CharField(
        label="HHS contract number",
        max_length=hhs_customer.HHS_CONTRACT_MAX_LENGTH,
        required=False,
        help_text="The ASPR or BARDA contract that is the rated order; printed on the authorization and each order.",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _signing_fields(self)


class CustomerItemForm(forms.Form):
    supplier = forms.ModelChoiceField(
        queryset=Organization.objects.filter(
            is_active=True, kind__in=[OrganizationKind.MANUFACTURER, OrganizationKind.SUPPLIER]
        ),
        required=False,
    )
    description = forms.CharField(required=False)
    part_number = forms.CharField(required=False)
    quantity = forms.CharField(required=False)
    unit = forms.CharField(required=False)
    ship_to = forms.CharField(required=False)
    window_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    window_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else 1
        for name, field in self.fields.items():
            # The table's cells have no <label>: each input names itself for screen readers.
            field.widget.attrs["aria-label"] = f"Item {number}: {name.replace('_', ' ')}"
            if name in ITEM_INPUT_SIZES:
                field.widget.attrs["size"] = ITEM_INPUT_SIZES[name]  # one row fits 1280 px

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(name) for name in self.fields)


ITEM_INPUT_SIZES = {"description": 22, "part_number": 8, "quantity": 6, "unit": 6, "ship_to": 18}
CustomerItemFormSet = formset_factory(CustomerItemForm, extra=3)


def _error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _page(model_admin: admin.ModelAdmin[Any], request: HttpRequest, title: str, **context: Any) -> HttpResponse:
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            **context,
        },
    )


def customer_authorization_view(model_admin: admin.ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    """The approving official lists HHS's contract items and signs the customer authorization."""
    form = CustomerAuthorizationForm(request.POST or None)
    formset = CustomerItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [row.cleaned_data for row in formset.forms if not row.is_blank()]  # type: ignore[attr-defined]
        try:
            authorization = hhs_customer.hhs_customer_authorization_issue(
                actor=request.user,  # type: ignore[arg-type]
                program=form.cleaned_data["program"],
                level=form.cleaned_data["level"],
                hhs_contract=form.cleaned_data["hhs_contract"],
                items=[
                    hhs_customer.CustomerItemInput(
                        supplier_id=row["supplier"].pk if row["supplier"] else None,
                        description=row["description"],
                        quantity=row["quantity"],
                        unit=row["unit"],
                        window_start=row["window_start"],
                        window_end=row["window_end"],
                        part_number=row["part_number"],
                        ship_to=row["ship_to"],
                    )
                    for row in rows
                ],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
            )
        except ApplicationError as error:
            _error(form, error)
        else:
            model_admin.message_user(
                request,
                f"Customer authorization {authorization.number} signed for HHS contract {authorization.hhs_contract}; "
                "HHS's authorized signer can now place the rated orders under it.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:ratings_ratingauthorization_change", args=[authorization.pk]))
    return _page(
        model_admin,
        request,
        "HHS customer authorization (HHS is the customer)",
        form=form,
        formset=formset,
        explanation=(
            "Where HHS itself is the customer, its own contract is the rated order (45 CFR 101.32(a)(3)). You sign "
            "the authorization under which HHS's authorized signer places the orders: the items, suppliers, "
            "quantities and delivery windows of the contract. You cannot also sign an order under it."
        ),
    )


class PlaceOrderForm(forms.Form):
    po_number = forms.CharField(label="Purchase order (contract) number", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, defaults: list[placing.PlacedItemInput], authorized: dict[int, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for item in defaults:
            listed = authorized[item.position]
            label = f"Item {item.position}: {listed['description']} ({listed['unit']})"
            self.fields[f"quantity_{item.position}"] = forms.CharField(
                label=f"{label}: quantity",
                required=False,
                initial=item.quantity,
                help_text=f"Up to {listed['quantity']}; empty leaves the item out.",
            )
            self.fields[f"date_{item.position}"] = forms.DateField(
                label=f"{label}: required delivery date",
                required=False,
                initial=item.deliveries[0].required_date if item.deliveries else None,
                widget=forms.DateInput(attrs={"type": "date"}),
                help_text=f"Within {listed['window_start']} to {listed['window_end']}.",
            )
        self.positions = [item.position for item in defaults]
        _signing_fields(self)

    def items(self) -> list[placing.PlacedItemInput]:
        return [
            placing.PlacedItemInput(
                position=position,
                quantity=self.cleaned_data[f"quantity_{position}"],
                deliveries=[DeliveryInput(self.cleaned_data[f"date_{position}"])],
            )
            for position in self.positions
            if self.cleaned_data[f"quantity_{position}"]
        ]


def place_actions(authorization: RatingAuthorization, user: User) -> list[tuple[str, str]]:
    """One "place the order" link per supplier still without an open order, for HHS's signers."""
    if not authorization.is_hhs_customer or authorization.status != AuthorizationStatus.ACTIVE:
        return []
    if not any(
        m.role == Role.AUTHORIZED_SIGNER and m.organization_id == authorization.authorized_party_id
        for m in permissions.active_memberships(user)
    ):
        return []
    names = dict(Organization.objects.filter(pk__in=authorization.supplier_ids()).values_list("pk", "legal_name"))
    url = reverse("admin:ratings_ratingauthorization_place", args=[authorization.pk])
    return [
        (f"Place rated order with {names[supplier_id]}", f"{url}?supplier={supplier_id}")
        for supplier_id in authorization.supplier_ids()
        if placing.open_order_for(authorization, supplier_id) is None
    ]


def place_order_view(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, authorization: RatingAuthorization
) -> HttpResponse:
    """HHS's authorized signer places and signs HHS's rated order with one supplier."""
    try:
        supplier_id = int(request.GET.get("supplier", ""))
    except ValueError:
        raise Http404("Choose a supplier the authorization lists.") from None
    if not authorization.is_hhs_customer or supplier_id not in authorization.supplier_ids():
        raise Http404("Choose a supplier the authorization lists.")
    po, defaults = placing.placement_defaults(authorization, supplier_id)
    authorized = {int(item["position"]): item for item in authorization.items_for(supplier_id)}  # type: ignore[call-overload]
    form = PlaceOrderForm(
        request.POST or None,
        defaults=defaults,
        authorized=authorized,
        initial={"po_number": po, "version": authorization.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = placing.rated_order_place(
                authorization=authorization,
                actor=request.user,  # type: ignore[arg-type]
                supplier_id=supplier_id,
                po_number=form.cleaned_data["po_number"],
                items=form.items(),
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            _error(form, error)
        else:
            model_admin.message_user(
                request,
                f"Rated order {order.order_number} placed and signed for HHS; the supplier is notified.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:ratings_ratedorder_change", args=[order.pk]))
    supplier = Organization.objects.get(pk=supplier_id)
    return _page(
        model_admin,
        request,
        f"Place HHS's rated order under {authorization.number} with {supplier.legal_name}",
        form=form,
        original=authorization,
        change_url=reverse("admin:ratings_ratingauthorization_change", args=[authorization.pk]),
        explanation=(
            f"HHS is the customer: you place and sign this {authorization.rating} rated order for HHS as its "
            "authorized signer (45 CFR 101.32(a)(3)), within the authorized items, quantities and delivery windows. "
            "No required delivery date may be in the past."
        ),
    )
