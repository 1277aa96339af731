"""Supplier side of the HHS order page: the supplier's signed responses, the response
clock, the flow-down tree and every notice the order sent (including reminders and escalations).
Suppliers answer in the portal; HHS records here a delay a supplier reported by phone (its
written confirmation is then due), through ratings.services.suppliers.responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from dpa_portal.errors import ApplicationError
from ratings import permissions
from ratings.clock import agency_time
from ratings.constants import REJECTION_REASON_CITATIONS, OrderStatus
from ratings.models import Notification, RatedOrder, RatedOrderVersion, SupplierResponse
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.selectors.orders import order_tree_rows
from ratings.services.suppliers import responses

BR = SafeString("<br>")


def _when(value: dt.datetime | None) -> str:
    return agency_time(value) if value else "—"


class SupplierResponseInline(admin.TabularInline):
    model = SupplierResponse
    extra = 0
    can_delete = False
    verbose_name = "supplier response"
    verbose_name_plural = "Supplier responses (signed records, 15 CFR 700.13)"
    fields = ("version_number", "kind", "signature", "reason_code", "explanation", "dates", "late")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or permissions.sees_business_data(user)))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupplierResponse]:
        return super().get_queryset(request).select_related("version")

    @admin.display(description="Version")
    def version_number(self, obj: SupplierResponse) -> int:
        return obj.version.number

    @admin.display(description="Signature (21 CFR 11.50)")
    def signature(self, obj: SupplierResponse) -> SafeString:
        return format_html("{}, {}<br>{}<br>{}", obj.printed_name, obj.title, _when(obj.responded_at), obj.meaning)

    @admin.display(description="Dates")
    def dates(self, obj: SupplierResponse) -> SafeString:
        parts = []
        if obj.reason_code:
            parts.append(format_html("Rule: {}", REJECTION_REASON_CITATIONS[obj.reason_code]))
        if obj.conflicting_level:
            parts.append(format_html("Would interfere with an accepted {} order", obj.conflicting_level))
        if obj.earliest_date:
            offer = " (offers to accept on that basis)" if obj.offers_to_accept_on_that_basis else ""
            parts.append(format_html("Earliest date possible: {}{}", obj.earliest_date.isoformat(), offer))
        if obj.channel:
            parts.append(format_html("Reported by {} (not in writing)", obj.channel))
        if obj.new_date:
            parts.append(format_html("New date: {}", obj.new_date.isoformat()))
        if obj.confirmation_due:
            confirmed = SupplierResponse.objects.filter(confirms=obj).first()
            state = f"confirmed {_when(confirmed.responded_at)}" if confirmed else "not confirmed yet"
            parts.append(format_html("Written confirmation due: {} ({})", _when(obj.confirmation_due), state))
        return format_html_join(BR, "{}", ((p,) for p in parts)) if parts else SafeString("—")


class SupplierOrderAdminMixin:
    """Read-only fields for RatedOrderAdmin: clock, flow-down tree, notices."""

    supplier_fields = ("response_clock", "flowdown_tree", "order_notices")

    @admin.display(description="Supplier response clock")
    def response_clock(self, obj: RatedOrder) -> SafeString:
        version = RatedOrderVersion.objects.filter(order=obj, number=obj.current_version).first()
        if version is None or version.received_at is None:
            return SafeString("Not started: the order notice has not reached the supplier yet.")
        state = "closed " + _when(version.clock_closed_at) if version.clock_closed_at else "running"
        overdue = (
            obj.status in AWAITING_RESPONSE_STATUSES
            and version.response_due_at is not None
            and version.response_due_at < timezone.now()
        )
        return format_html(
            "Received {}; answer due {}; clock {}{}",
            _when(version.received_at),
            _when(version.response_due_at),
            state,
            SafeString(" — <strong>OVERDUE</strong>") if overdue else "",
        )

    @admin.display(description="Flow-down tree (45 CFR 101.35)")
    def flowdown_tree(self, obj: RatedOrder) -> SafeString:
        root = obj
        while root.parent_id is not None:
            root = RatedOrder.objects.get(pk=root.parent_id)
        rows = order_tree_rows(root)
        if len(rows) == 1:
            return SafeString("No flow-down orders.")
        return format_html_join(
            BR,
            "{}{} <a href='{}'>{}</a> to {} ({})",
            (
                (
                    "\u00a0\u00a0\u00a0\u00a0" * depth,
                    "↳" if depth else "•",
                    reverse("admin:ratings_ratedorder_change", args=[node.pk]),
                    node.order_number,
                    node.supplier.legal_name,
                    node.get_status_display(),
                )
                for node, depth in rows
            ),
        )

    @admin.display(description="Notices sent (orders, reminders, escalations, answers)")
    def order_notices(self, obj: RatedOrder) -> SafeString:
        version_ids = [str(pk) for pk in obj.versions.values_list("pk", flat=True)]
        rows = (
            Notification.objects.filter(
                Q(object_type=RatedOrderVersion._meta.label, object_id__in=version_ids)
                | Q(object_type=RatedOrder._meta.label, object_id=str(obj.pk))
            )
            .select_related("recipient")
            .order_by("created_at", "pk")
        )
        if not rows:
            return SafeString("None yet.")
        return format_html_join(
            BR,
            "<a href='{}'>{}</a>: {} to {} — {}",
            (
                (
                    reverse("admin:ratings_notification_change", args=[row.pk]),
                    row.get_kind_display(),
                    row.subject,
                    row.recipient.printed_name,
                    row.get_status_display() + (f" {_when(row.sent_at)}" if row.sent_at else ""),
                )
                for row in rows
            ),
        )

    # --- a delay the supplier reported to HHS by phone or in person (15 CFR 700.13(d)) --------

    def get_urls(self) -> list[Any]:
        model_admin: Any = self
        view = model_admin.admin_site.admin_view
        return [
            path(
                "<int:object_id>/delay-report/", view(self._delay_report_view), name="ratings_ratedorder_delay_report"
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        model_admin: Any = self
        extra_context = dict(extra_context or {})
        order = model_admin.get_object(request, object_id)
        if order is not None and order.status in DELAY_REPORT_STATUSES:
            url = reverse("admin:ratings_ratedorder_delay_report", args=[order.pk])
            extra_context["order_actions"] = [
                *extra_context.get("order_actions", []),
                ("Record a delay reported by phone", url),
            ]
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def _delay_report_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        model_admin: Any = self
        order = model_admin.get_queryset(request).filter(pk=object_id).first()
        if order is None:
            raise Http404("No such order.")
        form = DelayReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                data = form.cleaned_data
                responses.rated_order_record_delay_report(
                    order=order,
                    actor=request.user,  # type: ignore[arg-type]
                    reasons=data["reasons"],
                    new_date=data["new_date"],
                    channel=data["channel"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                model_admin.message_user(
                    request, "Delay recorded; the supplier must confirm it in writing.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:ratings_ratedorder_change", args=[order.pk]))
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "original": order,
            "title": f"Record a delay reported outside the portal: {order.order_number}",
            "form": form,
            "change_url": reverse("admin:ratings_ratedorder_change", args=[order.pk]),
        }
        return TemplateResponse(request, "admin/ratings/ratedorder/action_form.html", context)


DELAY_REPORT_STATUSES = {OrderStatus.ACCEPTED, OrderStatus.FULFILLED}


class DelayReportForm(forms.Form):
    channel = forms.CharField(max_length=100, label="How the supplier reported it", help_text="e.g. phone call")
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reasons the supplier gave")
    new_date = forms.DateField(label="New delivery date", help_text="YYYY-MM-DD", input_formats=["%Y-%m-%d"])
