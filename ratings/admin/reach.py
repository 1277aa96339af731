"""Supplier contacts on the organization's admin page: HHS invites contacts and deactivates
them there, and sees the suppliers it cannot reach (with escalation). Each form calls one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.constants import OrganizationKind, Role
from ratings.models import Membership, Organization
from ratings.selectors import orders as order_selectors
from ratings.services.accounts import invitations, memberships
from ratings.services.suppliers import reach


class InviteForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    manages_contacts = forms.BooleanField(
        required=False, label="Contact administrator (invites colleagues of this supplier)"
    )


class SupplierContactsAdminMixin:
    """Added to OrganizationAdmin (whose change form is admin/ratings/organization/change_form.html)."""

    def get_urls(self) -> list[Any]:
        model_admin: Any = self
        view = model_admin.admin_site.admin_view
        return [
            path("unreachable/", view(self._unreachable_view), name="ratings_organization_unreachable"),
            path("<int:object_id>/invite/", view(self._invite_view), name="ratings_organization_invite"),
            path(
                "<int:object_id>/escalate/",
                view(require_POST(self._escalate_view)),
                name="ratings_organization_escalate",
            ),
            path(
                "<int:object_id>/contacts/<int:membership_id>/deactivate/",
                view(require_POST(self._deactivate_view)),
                name="ratings_organization_deactivate_contact",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        model_admin: Any = self
        organization = model_admin.get_object(request, object_id)
        contacts = None
        if organization is not None and organization.kind == OrganizationKind.SUPPLIER:
            contacts = list(
                Membership.objects.filter(organization=organization, role=Role.SUPPLIER_CONTACT).select_related("user")
            )
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "contacts": contacts})  # type: ignore[misc]

    def _supplier(self, object_id: int) -> Organization:
        organization = Organization.objects.filter(pk=object_id, kind=OrganizationKind.SUPPLIER).first()
        if organization is None:
            raise Http404("No such supplier.")
        return organization

    def _back(self, request: HttpRequest, organization: Organization, text: str, level: int) -> HttpResponse:
        model_admin: Any = self
        model_admin.message_user(request, text, level)
        return HttpResponseRedirect(reverse("admin:ratings_organization_change", args=[organization.pk]))

    def _invite_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        model_admin: Any = self
        organization = self._supplier(object_id)
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invitations.supplier_contact_invite(
                    organization=organization,
                    email=form.cleaned_data["email"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    actor=request.user,  # type: ignore[arg-type]
                    manages_contacts=form.cleaned_data["manages_contacts"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return self._back(request, organization, f"{form.cleaned_data['email']} is invited.", messages.SUCCESS)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "original": organization,
            "title": f"Invite a supplier contact for {organization.legal_name}",
            "form": form,
            "change_url": reverse("admin:ratings_organization_change", args=[organization.pk]),
        }
        return TemplateResponse(request, "admin/ratings/assistancecase/action_form.html", context)

    def _deactivate_view(self, request: HttpRequest, object_id: int, membership_id: int) -> HttpResponse:
        organization = self._supplier(object_id)
        membership = Membership.objects.filter(pk=membership_id, organization=organization).first()
        if membership is None:
            raise Http404("No such contact.")
        try:
            memberships.membership_change(membership=membership, actor=request.user, is_active=False)  # type: ignore[arg-type]
        except ApplicationError as error:
            return self._back(request, organization, error.message, messages.ERROR)
        return self._back(request, organization, f"{membership.user.printed_name} is deactivated.", messages.SUCCESS)

    def _escalate_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        organization = self._supplier(object_id)
        try:
            reach.supplier_unreachable_escalate(organization=organization, actor=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            return self._back(request, organization, error.message, messages.ERROR)
        return self._back(request, organization, "Escalated to HHS intake; invitations sent again.", messages.SUCCESS)

    def _unreachable_view(self, request: HttpRequest) -> HttpResponse:
        model_admin: Any = self
        if not permissions.is_hhs_staff(request.user):
            raise Http404("No such page.")
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Suppliers the portal cannot reach",
            "rows": order_selectors.unreachable_suppliers(),
        }
        return TemplateResponse(request, "admin/ratings/organization/unreachable.html", context)
