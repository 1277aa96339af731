"""Rating authorizations in the HHS staff workspace: what was authorized, its versions (each
signed, with what changed and why) and the orders placed under it; revoke, upgrade DO → DX and
amend go through ratings.services.authorizations, signed by an approving official."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.admin import hhs_customer
from ratings.admin.audited import AuditHistoryMixin
from ratings.clock import agency_time
from ratings.constants import RatingLevel, Role
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import RatedOrder, RatingAuthorization, RatingAuthorizationVersion
from ratings.services.authorizations import amendment as authorization_amendment
from ratings.services.authorizations import changes as authorization_changes


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or permissions.sees_business_data(user)))


class SigningForm(forms.Form):
    """The reason, and the signer's credentials at the moment of signing (21 CFR 11.200)."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Printed on the new version."
    )
    password = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Re-enter your password to sign (21 CFR 11.200)."
    )
    otp = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="A fresh 6-digit code from your authenticator app: the second factor of your signature.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AmendForm(SigningForm):
    valid_until = forms.CharField(
        label="Valid until",
        required=False,
        help_text="The new last day an order may be placed (YYYY-MM-DD); not before today.",
    )
    conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    field_order = ["valid_until", "conditions", "reason", "password", "otp"]


class PriorVersionInline(admin.TabularInline):
    model = RatingAuthorizationVersion
    extra = 0
    can_delete = False
    verbose_name_plural = "Earlier versions (as signed)"
    fields = (
        "number",
        "rating",
        "status",
        "valid_until",
        "change",
        "change_reason",
        "printed_name",
        "signed_at",
        "fingerprint",
    )
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RatingAuthorizationAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ("number", "rating", "authorized_party", "status", "version", "valid_until", "signed_at")
    list_filter = ("status", "level")
    search_fields = ("number", "rating_request__reference", "authorized_party__legal_name")
    list_select_related = ("authorized_party",)
    inlines = (PriorVersionInline,)
    change_form_template = "admin/ratings/ratingauthorization/change_form.html"
    fields = (
        "number",
        "rating",
        "status",
        "version",
        "change",
        "change_reason",
        "what_changed",
        "rating_request",
        "hhs_contract_number",
        "authorized_party",
        "valid_from",
        "valid_until",
        "conditions",
        "signature",
        "fingerprint",
        "orders_placed",
    )
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # signed by approval only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke, upgrade and amend are the only writes

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RatingAuthorization]:
        return super().get_queryset(request).select_related("authorized_party", "rating_request")

    def history_filter(self, obj: Any) -> Q:
        return Q(reference=obj.number) | Q(object_type="ratings.RatingAuthorization", object_id=str(obj.pk))

    @admin.display(description="HHS contract (HHS is the customer)")
    def hhs_contract_number(self, obj: RatingAuthorization) -> str:
        return obj.hhs_contract or "—"

    @admin.display(description="What this version changed")
    def what_changed(self, obj: RatingAuthorization) -> str:
        if not obj.changes:
            return "—"
        return format_html_join(
            "", "<div>{}: {} → {}</div>", ((c["what"], c["before"], c["after"]) for c in obj.changes)
        )

    @admin.display(description="Signature (21 CFR 11.50)")
    def signature(self, obj: RatingAuthorization) -> str:
        return format_html(
            "{}, {}<br>{}<br>{}<br><small>{}</small>",
            obj.printed_name,
            obj.title,
            agency_time(obj.signed_at, seconds=True),
            obj.meaning,
            obj.delegation,
        )

    @admin.display(description="Rated orders placed under it")
    def orders_placed(self, obj: RatingAuthorization) -> str:
        # with the flow-down orders extending them (a sub-tier order names its parent, not the authorization)
        orders = RatedOrder.objects.filter(
            Q(authorization=obj) | Q(parent__authorization=obj) | Q(parent__parent__authorization=obj)
        ).order_by("pk")
        if not orders:
            return "—"
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> ({}, {})</div>',
            (
                (
                    reverse("admin:ratings_ratedorder_change", args=[o.pk]),
                    o.order_number,
                    o.rating,
                    o.get_status_display(),
                )
                for o in orders
            ),
        )

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/revoke/", view(self._revoke_view), name="ratings_ratingauthorization_revoke"),
            path("<int:object_id>/upgrade/", view(self._upgrade_view), name="ratings_ratingauthorization_upgrade"),
            path(
                "hhs-customer/",
                view(lambda request: hhs_customer.customer_authorization_view(self, request)),
                name="ratings_ratingauthorization_hhs_customer",
            ),
            path(
                "<int:object_id>/place/",
                view(
                    lambda request, object_id: hhs_customer.place_order_view(
                        self, request, self._authorization(request, object_id)
                    )
                ),
                name="ratings_ratingauthorization_place",
            ),
            path("<int:object_id>/amend/", view(self._amend_view), name="ratings_ratingauthorization_amend"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        authorization = self.get_object(request, object_id)
        if authorization is not None and authorization.status == AuthorizationStatus.ACTIVE:
            actions = [
                (
                    "Amend validity or conditions",
                    reverse("admin:ratings_ratingauthorization_amend", args=[authorization.pk]),
                ),
                ("Revoke", reverse("admin:ratings_ratingauthorization_revoke", args=[authorization.pk])),
            ]
            if authorization.level == RatingLevel.DO:
                url = reverse("admin:ratings_ratingauthorization_upgrade", args=[authorization.pk])
                actions.append(("Upgrade to DX", url))
            extra_context["authorization_actions"] = actions
        if authorization is not None:
            # HHS's own orders: its authorized signer places them from here.
            places = hhs_customer.place_actions(authorization, request.user)  # type: ignore[arg-type]
            extra_context["authorization_actions"] = [*extra_context.get("authorization_actions", []), *places]
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = extra_context or {}
        if permissions.has_role(request.user, Role.APPROVING_OFFICIAL):
            extra_context["hhs_customer_url"] = reverse("admin:ratings_ratingauthorization_hhs_customer")
        return super().changelist_view(request, extra_context)

    # --- the signed changes ------------------------------------------------------------------

    def _authorization(self, request: HttpRequest, object_id: int) -> RatingAuthorization:
        authorization = self.get_queryset(request).filter(pk=object_id).first()
        if authorization is None or not _staff(request):
            raise Http404("No such authorization.")
        return authorization

    def _signed_change(
        self,
        request: HttpRequest,
        object_id: int,
        *,
        title: str,
        explanation: str,
        form_class: type[SigningForm],
        call: Callable[[RatingAuthorization, dict[str, Any]], RatingAuthorization],
        done: str,
    ) -> HttpResponse:
        authorization = self._authorization(request, object_id)
        form = form_class(
            request.POST or None, initial={"version": authorization.version, **self._initial(authorization)}
        )
        if request.method == "POST" and form.is_valid():
            try:
                changed = call(authorization, form.cleaned_data)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.message_user(
                    request, done.format(number=changed.number, version=changed.version), messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:ratings_ratingauthorization_change", args=[changed.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": authorization,
            "title": f"{title}: {authorization.number}",
            "explanation": explanation,
            "form": form,
            "change_url": reverse("admin:ratings_ratingauthorization_change", args=[authorization.pk]),
        }
        return TemplateResponse(request, "admin/ratings/ratingauthorization/action_form.html", context)

    def _initial(self, authorization: RatingAuthorization) -> dict[str, Any]:
        return {"valid_until": authorization.valid_until.isoformat(), "conditions": authorization.conditions}

    @staticmethod
    def _signed_by(request: HttpRequest, service: Callable[..., RatingAuthorization]) -> Any:
        """A change whose form asks only the reason and the signature (revoke, upgrade)."""

        def call(authorization: RatingAuthorization, data: dict[str, Any]) -> RatingAuthorization:
            return service(
                authorization=authorization,
                actor=request.user,
                password=data["password"],
                otp=data["otp"],
                reason=data["reason"],
                expected_version=data["version"],
            )

        return call

    def _revoke_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        call = self._signed_by(request, authorization_changes.rating_authorization_revoke)
        return self._signed_change(
            request,
            object_id,
            title="Revoke",
            explanation=(
                "Revoking is an official action of HHS (45 CFR 101.36(a)(1)): no rated order can be placed under the "
                "authorization any more, and every open rated order placed under it, and every order extending one, "
                "is cancelled with a signed cancellation notice to its supplier (45 CFR 101.36(f))."
            ),
            form_class=SigningForm,
            call=call,
            done="Authorization {number} revoked (version {version} signed); the orders placed under it are cancelled.",
        )

    def _upgrade_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        call = self._signed_by(request, authorization_changes.rating_authorization_upgrade)
        return self._signed_change(
            request,
            object_id,
            title="Upgrade to DX",
            explanation=(
                "Upgrading raises the authorized rating from DO to DX and needs DX approval authority. Every open "
                "rated order placed under the authorization, and every order extending one, gets a signed amendment "
                "at DX; it changes no item or date, so it is not a new rated order (45 CFR 101.36(c)), and each "
                "supplier must give DX treatment as of the date it receives the change (45 CFR 101.36(b))."
            ),
            form_class=SigningForm,
            call=call,
            done="Authorization {number} upgraded to DX (version {version} signed); the open orders are amended.",
        )

    def _amend_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        def call(authorization: RatingAuthorization, data: dict[str, Any]) -> RatingAuthorization:
            return authorization_amendment.rating_authorization_amend(
                authorization=authorization,
                actor=request.user,  # type: ignore[arg-type]
                password=data["password"],
                otp=data["otp"],
                reason=data["reason"],
                valid_until=data["valid_until"],
                conditions=data["conditions"],
                expected_version=data["version"],
            )

        return self._signed_change(
            request,
            object_id,
            title="Amend validity or conditions",
            explanation=(
                "The amendment is a new signed version of the authorization. Rated orders already placed under it "
                "are not changed by it; the authorized party is told so."
            ),
            form_class=AmendForm,
            call=call,
            done="Authorization {number} amended (version {version} signed); the orders placed under it are unchanged.",
        )
