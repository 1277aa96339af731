"""Users with their roles, organizations and programs: every save calls an accounts service
(audited, before/after values). Superuser, staff, groups and model permissions are never
editable here: groups and the staff flag follow the roles; superusers come from the command
line. Approval authority is asked for here and confirmed by a second administrator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from dpa_portal.errors import ApplicationError
from ratings import permissions, second_factor
from ratings.admin.audited import AuditHistoryMixin, ServiceRecordMixin, ServiceSaveMixin, changed_values
from ratings.admin.reach import SupplierContactsAdminMixin
from ratings.constants import RatingLevel, Role
from ratings.models import Membership, Organization, Program, User
from ratings.services.accounts import memberships, mfa, organizations, signers, users

# Roles given with a recorded authority have their own forms: approval authority, signers.
ROLE_CHOICES = [
    (value, label) for value, label in Role.choices if value not in (Role.APPROVING_OFFICIAL, Role.AUTHORIZED_SIGNER)
]


class MembershipForm(forms.ModelForm):
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        help_text="Approving officials: use “Grant approval authority”; signers: “Designate authorized signer”.",
    )

    class Meta:
        model = Membership
        fields = ("organization", "role", "approval_level", "delegation", "delegated_on", "is_active")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            role: Any = self.fields["role"]
            role.choices = Role.choices
            for name in ("organization", "role", "delegated_on"):
                self.fields[name].disabled = True
        else:
            for name in ("approval_level", "delegation", "delegated_on", "is_active"):
                self.fields[name].disabled = True


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    can_delete = False  # roles are deactivated, never deleted (the trail refers to them)


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "title", "is_active")


class UserCreateForm(forms.ModelForm):
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        required=False,
        help_text="Leave empty to send a reset link later.",
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "title")


class UserAdmin(AuditHistoryMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = UserForm
    add_form = UserCreateForm
    inlines = (MembershipInline,)
    change_form_template = "admin/ratings/user/change_form.html"
    list_display = ("username", "first_name", "last_name", "email", "is_staff", "is_active", "roles", "second_factor")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined", "groups_display", "second_factor")
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "title", "is_active")}),
        ("Access (follows the roles; superusers only from the command line)", {"fields": readonly_fields}),
    )
    add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email", "title", "password1")}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("memberships__organization", "groups")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else ()

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        return format_html_join(", ", "{}", ((m.get_role_display(),) for m in obj.memberships.all() if m.is_active))

    @admin.display(description="Groups")
    def groups_display(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    @admin.display(description="Second factor")
    def second_factor(self, obj: User) -> str:
        return ", ".join(sorted({second_factor.kind_label(device) for device in second_factor.devices(obj)})) or "None"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor: Any = request.user
        if change:
            users.user_update(user=obj, actor=actor, values=changed_values(form, users.EDITABLE))
            obj.refresh_from_db()
            return
        data = form.cleaned_data
        created = users.user_create(
            actor=actor,
            username=data["username"],
            password=data.get("password1") or "",
            **{name: data[name] for name in ("first_name", "last_name", "email", "title")},
        )
        obj.pk, obj._state.adding = created.pk, False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        actor: Any = request.user
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # read by the admin
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.is_valid():
                continue
            data = inline_form.cleaned_data
            if inline_form.instance.pk is None:
                memberships.membership_add(
                    user=form.instance, actor=actor, organization=data["organization"], role=data["role"]
                )
            else:
                changed = set(inline_form.changed_data)
                memberships.membership_change(
                    membership=Membership.objects.get(pk=inline_form.instance.pk),
                    actor=actor,
                    is_active=data["is_active"] if "is_active" in changed else None,
                    approval_level=data["approval_level"] if "approval_level" in changed else None,
                    delegation=data["delegation"] if "delegation" in changed else None,
                )

    def history_filter(self, obj: Any) -> Q:
        return (
            Q(object_type="ratings.User", object_id=str(obj.pk))
            | Q(
                object_type="ratings.Membership",
                object_id__in=[str(pk) for pk in obj.memberships.values_list("pk", flat=True)],
            )
            | Q(
                object_type="ratings.AuthorityGrant",
                object_id__in=[str(pk) for pk in obj.authority_grants.values_list("pk", flat=True)],
            )
        )

    # --- approval authority and second-factor reset: forms calling one service each ---------

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/grant-authority/", view(self._grant_view), name="ratings_user_grant"),
            path("<int:object_id>/reset-second-factor/", view(self._reset_view), name="ratings_user_reset_mfa"),
            path("<int:object_id>/designate-signer/", view(self._signer_view), name="ratings_user_designate_signer"),
            path("<int:object_id>/password/", view(self._no_password_view), name="ratings_user_password"),
            *super().get_urls(),
        ]

    def _target(self, request: HttpRequest, object_id: int) -> User:
        if not permissions.is_account_admin(request.user):
            raise Http404("No such user.")
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def _page(self, request: HttpRequest, target: User, form: forms.Form, title: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": target,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "admin/ratings/user/action_form.html", context)

    def _done(self, request: HttpRequest, target: User, text: str) -> HttpResponse:
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ratings_user_change", args=[target.pk]))

    def _grant_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        target = self._target(request, object_id)
        form = GrantForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                memberships.authority_grant_request(user=target, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return self._done(
                    request,
                    target,
                    "Approval authority asked for: a second HHS administrator must confirm it (Approval authority grants).",
                )
        return self._page(request, target, form, f"Grant approval authority to {target}")

    def _signer_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        target = self._target(request, object_id)
        form = SignerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                signers.authorized_signer_designate(user=target, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return self._done(
                    request, target, f"{target} now signs rated orders for {form.cleaned_data['organization']}."
                )
        return self._page(request, target, form, f"Designate {target} an authorized signer of rated orders")

    def _reset_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        target = self._target(request, object_id)
        form = ResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                mfa.second_factor_reset(user=target, actor=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return self._done(
                    request, target, f"{target}'s second factor is reset; they set it up again at next sign-in."
                )
        return self._page(request, target, form, f"Reset the second factor of {target}")

    def _no_password_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        target = self._target(request, object_id)
        self.message_user(
            request,
            "Administrators never set someone's password: they use “Forgot your password?” on the sign-in page.",
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:ratings_user_change", args=[target.pk]))


class GrantForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.filter(kind="agency", is_active=True))
    approval_level = forms.ChoiceField(choices=RatingLevel.choices, help_text="DO: ASPR delegate; DX: Secretary level.")
    delegation = forms.CharField(
        max_length=300, help_text="Authority under which the official signs, printed on orders."
    )


class SignerForm(forms.Form):
    """45 CFR 101.32(a)(3): who may sign rated orders for the organization, and on what delegation."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(kind__in=["manufacturer", "supplier"], is_active=True)
    )
    delegation = forms.CharField(
        max_length=300, help_text="Who authorized this person to sign rated orders for the organization, and how."
    )
    delegated_on = forms.DateField(help_text="Date of the delegation (YYYY-MM-DD).")


class ResetForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="How the person was identified, and why."
    )


class OrganizationAdmin(SupplierContactsAdminMixin, AuditHistoryMixin, ServiceRecordMixin, admin.ModelAdmin):
    change_form_template = "admin/ratings/organization/change_form.html"
    list_display = ("legal_name", "kind", "city", "uei", "require_mfa", "is_active")
    list_filter = ("kind", "is_active", "require_mfa")
    search_fields = ("legal_name", "short_name", "uei", "cage_code")
    service_fields = organizations.ORGANIZATION_FIELDS

    def create_record(self, *, actor: Any, values: dict[str, Any]) -> Organization:
        return organizations.organization_create(actor=actor, values=values)

    def update_record(self, obj: Organization, *, actor: Any, values: dict[str, Any]) -> Organization:
        return organizations.organization_update(organization=obj, actor=actor, values=values)


class ProgramAdmin(AuditHistoryMixin, ServiceRecordMixin, admin.ModelAdmin):
    list_display = ("symbol", "name", "allowed_levels", "determination_date", "determination_official", "is_active")
    service_fields = organizations.PROGRAM_FIELDS

    def create_record(self, *, actor: Any, values: dict[str, Any]) -> Program:
        return organizations.program_create(actor=actor, values=values)

    def update_record(self, obj: Program, *, actor: Any, values: dict[str, Any]) -> Program:
        return organizations.program_update(program=obj, actor=actor, values=values)
