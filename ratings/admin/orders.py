"""Rated orders in the HHS staff workspace: list, order page with version history, documents,
signatures and generation status; amend, cancel and retry go through ratings.services.orders.issue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.admin.audited import AuditHistoryMixin
from ratings.admin.listing import EstimatedCountMixin, QuickActionCheckboxMixin
from ratings.admin.suppliers import SupplierOrderAdminMixin, SupplierResponseInline
from ratings.clock import agency_time
from ratings.constants import GenerationStatus
from ratings.models import ChangeAgreement, ChangeAgreementStatus, RatedOrder, RatedOrderVersion
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.selectors import orders as order_selectors
from ratings.services import items as item_rules
from ratings.services.orders import amended_items
from ratings.services.orders import changes as order_changes
from ratings.services.orders import documents as order_documents
from ratings.services.orders.amended_items import AmendedItem, from_snapshot


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or permissions.sees_business_data(user)))


class VersionInline(admin.TabularInline):
    model = RatedOrderVersion
    extra = 0
    can_delete = False
    fields = (
        "number",
        "kind",
        "issued_at",
        "significance",
        "amendment_reason",
        "superseded",
        "signature",
        "generation",
        "document",
        "fingerprint_display",
    )
    readonly_fields = fields

    @admin.display(description="Fingerprint (SHA-256)")
    def fingerprint_display(self, obj: RatedOrderVersion) -> str:
        # 64 hex digits in one word would stretch the table: let it wrap.
        return format_html('<code class="dpa-wrap">{}</code>', obj.fingerprint)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RatedOrderVersion]:
        return super().get_queryset(request).prefetch_related("signatures", "documents").select_related("order")

    @admin.display(description="Signature (21 CFR 11.50)")
    def signature(self, obj: RatedOrderVersion) -> str:
        sig = next(iter(obj.signatures.all()), None)
        if sig is None:
            return "—"
        return format_html(
            "{}, {}<br>{}<br>{}<br><small>{}</small>",
            sig.printed_name,
            sig.title,
            agency_time(sig.signed_at, seconds=True),
            sig.meaning,
            sig.delegation,
        )

    @admin.display(description="Generation")
    def generation(self, obj: RatedOrderVersion) -> str:
        if obj.generation_status == GenerationStatus.FAILED:
            return format_html(
                '<strong>Failed</strong> ({} attempts): {}<br><a href="{}">Retry</a>',
                obj.generation_attempts,
                obj.generation_error[:300],
                reverse("admin:ratings_ratedorder_retry", args=[obj.order_id, obj.pk]),
            )
        return obj.get_generation_status_display()

    @admin.display(description="Document")
    def document(self, obj: RatedOrderVersion) -> str:
        doc = next(iter(obj.documents.all()), None)
        if doc is None:
            return "—"
        url = reverse("order-document-download", args=[obj.order.order_number, obj.number])
        return format_html('<a href="{}">{} (PDF, {} KB)</a>', url, doc.get_kind_display(), round(doc.size / 1024))


def _versions_in(status: str) -> Coalesce:
    """How many of the order's versions have this document generation status."""
    versions = RatedOrderVersion.objects.filter(order=OuterRef("pk"), generation_status=status).order_by()
    return Coalesce(Subquery(versions.values("order").annotate(n=Count("pk")).values("n")[:1]), 0)


class RatedOrderAdmin(
    EstimatedCountMixin, QuickActionCheckboxMixin, AuditHistoryMixin, SupplierOrderAdminMixin, admin.ModelAdmin
):
    list_per_page = 50  # as the portal lists and the API: rendering the rows is most of the page's time
    list_display = (
        "order_number",
        "rating",
        "placing_organization",
        "supplier",
        "status",
        "current_version",
        "issued_at",
        "documents_state",
    )
    list_filter = ("status", "level", "supplier", "placing_organization")
    search_fields = ("order_number", "source_request__reference", "supplier__legal_name")
    list_select_related = ("placing_organization", "supplier")  # the columns shown
    inlines = (VersionInline, SupplierResponseInline)
    change_form_template = "admin/ratings/ratedorder/change_form.html"
    actions = ("retry_failed_generation",)
    fields = (
        "order_number",
        "rating",
        "status",
        "current_version",
        "source_request",
        "placing_organization",
        "supplier",
        "emergency_response_hours",
        "issued_at",
        "cancelled_at",
        "cancellation_reason",
        "parent",
        *SupplierOrderAdminMixin.supplier_fields,
    )
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are issued by approval only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only record; amend and cancel are the only writes

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RatedOrder]:
        # Counted in the list's one query, not two queries per row; as subqueries, not a GROUP BY
        # over every order, so PostgreSQL counts only the page's rows after the LIMIT.
        return order_selectors.rated_orders_for(request.user).annotate(
            failed_versions=_versions_in(GenerationStatus.FAILED),
            pending_versions=_versions_in(GenerationStatus.PENDING),
        )

    def history_filter(self, obj: Any) -> Q:
        return Q(reference=obj.order_number) | Q(object_type="ratings.RatedOrder", object_id=str(obj.pk))

    @admin.display(description="Documents")
    def documents_state(self, obj: RatedOrder) -> str:
        failed, pending = obj.failed_versions, obj.pending_versions  # type: ignore[attr-defined]
        if failed:
            return f"{failed} failed"
        return f"{pending} pending" if pending else "generated"

    @admin.action(description="Retry failed document generation")
    def retry_failed_generation(self, request: HttpRequest, queryset: QuerySet[RatedOrder]) -> None:
        count = 0
        for version in RatedOrderVersion.objects.filter(order__in=queryset, generation_status=GenerationStatus.FAILED):
            try:
                order_documents.order_document_retry(version=version, actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            count += 1
        self.message_user(request, f"{count} document(s) queued again.", messages.SUCCESS)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/amend/", view(self._amend_view), name="ratings_ratedorder_amend"),
            path("<int:object_id>/cancel/", view(self._cancel_view), name="ratings_ratedorder_cancel"),
            path("<int:object_id>/retry/<int:version_id>/", view(self._retry_view), name="ratings_ratedorder_retry"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        order = self.get_object(request, object_id)
        if order is not None and order.status in OPEN_ORDER_STATUSES:
            extra_context["order_actions"] = [
                ("Amend", reverse("admin:ratings_ratedorder_amend", args=[order.pk])),
                ("Cancel order", reverse("admin:ratings_ratedorder_cancel", args=[order.pk])),
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    # --- forms -----------------------------------------------------------------------------

    def _order(self, request: HttpRequest, object_id: int) -> RatedOrder:
        order = self.get_queryset(request).filter(pk=object_id).first()
        if order is None or not _staff(request):
            raise Http404("No such order.")
        return order

    def _form_page(self, request: HttpRequest, order: RatedOrder, form: forms.Form, title: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": order,
            "title": f"{title}: {order.order_number}",
            "form": form,
            "change_url": reverse("admin:ratings_ratedorder_change", args=[order.pk]),
        }
        return TemplateResponse(request, "admin/ratings/ratedorder/action_form.html", context)

    def _done(self, request: HttpRequest, order: RatedOrder, text: str) -> HttpResponse:
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ratings_ratedorder_change", args=[order.pk]))

    def _amend_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        order = self._order(request, object_id)
        current = order.versions.get(number=order.current_version)
        # The customer accepted the date a rejecting supplier offered: the amendment comes prepared.
        items = order_selectors.prepared_amendment(order) or current.items_snapshot
        agreed = order.change_agreements.filter(status=ChangeAgreementStatus.AGREED, version=current)
        form = AmendForm(request.POST or None, items=items, agreed=agreed, initial={"version": order.current_version})
        if request.method == "POST" and form.is_valid():
            agreement = form.cleaned_data["agreement"]
            try:
                order_changes.rated_order_amend(
                    order=order,
                    actor=request.user,  # type: ignore[arg-type]
                    password=form.cleaned_data["password"],
                    otp=form.cleaned_data["otp"],
                    reason=form.cleaned_data["reason"],
                    # A change the supplier signed its agreement to is applied exactly as agreed.
                    items=[from_snapshot(item) for item in agreement.items] if agreement else form.amended_items(),
                    agreement=agreement,
                    expected_version=form.cleaned_data["version"],
                )
            except ApplicationError as error:
                form.add_error(form.field_for(error.field), error.message)
            else:
                return self._done(request, order, f"Order {order.order_number} amended; the new version is signed.")
        return self._form_page(request, order, form, "Amend")

    def _cancel_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        order = self._order(request, object_id)
        form = CancelForm(request.POST or None, initial={"version": order.current_version})
        if request.method == "POST" and form.is_valid():
            try:
                order_changes.rated_order_cancel(
                    order=order,
                    actor=request.user,  # type: ignore[arg-type]
                    password=form.cleaned_data["password"],
                    otp=form.cleaned_data["otp"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return self._done(request, order, f"Order {order.order_number} cancelled; the notice is signed.")
        return self._form_page(request, order, form, "Cancel")

    def _retry_view(self, request: HttpRequest, object_id: int, version_id: int) -> HttpResponse:
        order = self._order(request, object_id)
        version = get_object_or_404(RatedOrderVersion, pk=version_id, order=order)
        if request.method != "POST":
            form = forms.Form()
            return self._form_page(request, order, form, f"Retry document generation for version {version.number}")
        try:
            order_documents.order_document_retry(version=version, actor=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:ratings_ratedorder_change", args=[order.pk]))
        return self._done(request, order, f"Document generation for version {version.number} queued again.")


def _signing_fields(form: forms.Form) -> None:
    form.fields["reason"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    form.fields["password"] = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="Re-enter your password to sign (21 CFR 11.200).",
    )
    form.fields["otp"] = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="A fresh 6-digit code from your authenticator app: the second factor of your signature.",
    )
    form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _signing_fields(self)


# An amendment error names the item by position ("items[2].quantity"): the row of fields it goes beside.


class AmendForm(forms.Form):
    """One row of fields per item of the current version; an emptied quantity removes the item.
    ratings.services.items checks every value; its errors come back beside the field."""

    def __init__(self, *args: Any, items: list[dict[str, Any]], agreed: QuerySet[ChangeAgreement], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            n = item["position"]
            self.fields[f"quantity_{n}"] = forms.CharField(
                label=f"Item {n} ({item['description']}): quantity ({item['unit']})",
                initial=item["quantity"],
                required=False,
                help_text="Leave empty to remove the item. " + item_rules.QUANTITY_HELP,
            )
            self.fields[f"dates_{n}"] = forms.CharField(
                label=f"Item {n}: required delivery dates",
                initial=item_rules.deliveries_text(item["required_dates"]),
                required=False,
                help_text=(
                    f"Calendar dates YYYY-MM-DD, separated by commas (at most {item_rules.MAX_DATES_PER_ITEM}); "
                    "a split delivery gives the quantity due that day after a colon: 2027-01-05: 500."
                ),
            )
            self.fields[f"ship_to_{n}"] = forms.CharField(
                label=f"Item {n}: ship to",
                initial=item["ship_to"],
                required=False,
                max_length=item_rules.SHIP_TO_MAX_LENGTH,
            )
        self.fields["agreement"] = forms.ModelChoiceField(
            queryset=agreed,
            required=False,
            label="Apply a change the supplier signed its agreement to (45 CFR 101.36(d): not a new rated order)",
            help_text="The items are then exactly those agreed; the rows above are ignored.",
        )
        self.fields["agreement"].label_from_instance = lambda row: (  # type: ignore[attr-defined]
            f"Agreed by {row.printed_name} on {agency_time(row.agreed_at)}: {row.reason}"
        )
        _signing_fields(self)

    def field_for(self, name: str | None) -> str | None:
        """The field an error of the amendment service belongs beside; None: the top of the form."""
        name = amended_items.form_input_for(name)
        return name if name in self.fields else None

    def amended_items(self) -> list[AmendedItem]:
        return amended_items.from_form(self.items, self.cleaned_data)
