"""Supplier side of the HHS order page: the supplier's signed responses, the response
clock, the flow-down tree and every notice the order sent (including reminders and escalations).
Read-only: suppliers answer in the portal, through ratings.services.suppliers.responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ratings import permissions
from ratings.clock import agency_time
from ratings.constants import REJECTION_REASON_CITATIONS
from ratings.models import Notification, RatedOrder, RatedOrderVersion, SupplierResponse
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.selectors.orders import order_tree_rows

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
            format_html(" — <strong>OVERDUE</strong>") if overdue else "",
        )

    @admin.display(description="Flow-down tree (15 CFR 700.15)")
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
