"""Rated orders (45 CFR 101.32): the signed order a supplier holds, its versions and documents.

The status graph is declared here with django-fsm-2; `ratings.services.orders.issue` is the only
caller of the transitions. Versions are never edited after issue: an amendment adds a version
and marks the previous one superseded (45 CFR 101.36).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django_fsm import RETURN_VALUE, FSMField, transition

from ratings.clock import agency_time
from ratings.constants import (
    REJECTION_REASON_CITATIONS,
    AmendmentSignificance,
    DocumentKind,
    GenerationStatus,
    OrderStatus,
    RatingLevel,
    RejectionReason,
    SupplierNoticeKind,
    SupplierResponseKind,
)
from ratings.models.precedence import LAST_IN_PRECEDENCE
from ratings.models.requests import private_storage
from ratings.permissions import allowed, order_rule

# Statuses from which HHS may still amend or cancel (a fulfilled or cancelled order is closed).
OPEN_ORDER_STATUSES = [OrderStatus.ISSUED, OrderStatus.AMENDED, OrderStatus.ACCEPTED, OrderStatus.REJECTED]
# Statuses in which the supplier owes an answer (accept or reject) and the clock runs.
AWAITING_RESPONSE_STATUSES = [OrderStatus.ISSUED, OrderStatus.AMENDED]


def document_path(instance: Document, filename: str) -> str:
    return f"orders/{instance.version.order.order_number}/v{instance.version.number}-{instance.kind}.pdf"


class RatedOrder(models.Model):
    order_number = models.CharField(
        max_length=24, unique=True, editable=False, help_text="e.g. HHS-DPA-2026-000123; never reused."
    )
    source_request = models.ForeignKey(
        "ratings.RatingRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rated_orders",
        help_text="Approved request; empty for an order HHS places as the customer under its own authorization.",
    )
    placing_organization = models.ForeignKey(
        "ratings.Organization", on_delete=models.PROTECT, related_name="placed_orders", help_text="The applicant."
    )
    supplier = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="received_orders")
    authorization = models.ForeignKey(
        "ratings.RatingAuthorization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        help_text="The HHS rating authorization the order was placed under (a flow-down order: its parent's).",
    )
    level = models.CharField(max_length=2, choices=RatingLevel.choices)
    program = models.ForeignKey("ratings.Program", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=16, help_text="Level and program symbol, e.g. DO-HR.")
    emergency_response_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Emergency orders: hours the supplier has to accept or reject."
    )
    current_version = models.PositiveIntegerField(default=1)
    precedence = models.IntegerField(
        default=LAST_IN_PRECEDENCE,
        editable=False,
        help_text="Level and the current version's earliest required date as one key (`precedence_key`).",
    )
    status = FSMField(default=OrderStatus.ISSUED, choices=OrderStatus.choices, protected=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The order this one extends to a sub-tier supplier (flow-down).",
    )
    issued_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True, help_text="Last change (API sync: updated_since).")

    class Meta:
        ordering = ["-issued_at", "-order_number"]
        indexes = [
            models.Index(fields=["supplier", "status"], name="order_supplier_status_idx"),
            # The default sort (admin changelist, lists): -issued_at, -order_number, read in order.
            models.Index(models.F("issued_at").desc(), models.F("order_number").desc(), name="order_sort_idx"),
            # A supplier's list, in precedence order (selectors.order_pages); the partial one
            # gives the orders waiting for an answer, which the list shows first when overdue.
            models.Index(fields=["supplier", "precedence"], name="order_supplier_precedence_idx"),
            models.Index(
                fields=["supplier", "precedence"],
                name="order_awaiting_precedence_idx",
                condition=models.Q(status__in=AWAITING_RESPONSE_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(current_version__gte=1), name="order_version_positive"),
            models.CheckConstraint(
                condition=models.Q(source_request__isnull=False) | models.Q(authorization__isnull=False),
                name="order_has_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} ({self.rating})"

    @property
    def basis_reference(self) -> str:
        """The approved request, or for an order HHS placed as the customer, HHS's contract."""
        if self.source_request_id is not None:
            return self.source_request.reference  # type: ignore[union-attr]
        return self.authorization.basis_reference  # type: ignore[union-attr]

    # --- transitions: data only; services.transition checks the rules and audits -------------

    @transition(
        field=status,
        source=OPEN_ORDER_STATUSES,
        target=RETURN_VALUE(OrderStatus.AMENDED, OrderStatus.ACCEPTED, OrderStatus.REJECTED),
        permission=allowed(order_rule("amend")),
    )
    def amend(self, *, version_number: int, significant: bool = True) -> str:
        """A significant change is a new rated order awaiting a new answer (45 CFR 101.36); a
        non-significant one keeps the supplier's answer (accepted or rejected) and its clock."""
        self.current_version = version_number
        if not significant and self.status in (OrderStatus.ACCEPTED, OrderStatus.REJECTED):
            return str(self.status)
        return OrderStatus.AMENDED

    @transition(
        field=status, source=OPEN_ORDER_STATUSES, target=OrderStatus.CANCELLED, permission=allowed(order_rule("cancel"))
    )
    def cancel(self, *, at: dt.datetime, reason: str) -> None:
        self.cancelled_at, self.cancellation_reason = at, reason

    # Supplier responses (15 CFR 700.13).
    @transition(
        field=status,
        source=AWAITING_RESPONSE_STATUSES,
        target=OrderStatus.ACCEPTED,
        permission=allowed(order_rule("accept")),
    )
    def accept(self) -> None:
        pass

    @transition(
        field=status,
        source=[*AWAITING_RESPONSE_STATUSES, OrderStatus.REJECTED],
        target=OrderStatus.ACCEPTED,
        permission=allowed(order_rule("acknowledge_directive")),
    )
    def accept_under_directive(self) -> None:
        """An HHS directive to accept the order (it takes precedence over DX and DO orders)."""

    @transition(
        field=status,
        source=AWAITING_RESPONSE_STATUSES,
        target=OrderStatus.REJECTED,
        permission=allowed(order_rule("reject")),
    )
    def reject(self) -> None:
        pass

    @transition(
        field=status,
        source=OrderStatus.ACCEPTED,
        target=OrderStatus.FULFILLED,
        permission=allowed(order_rule("mark_fulfilled")),
    )
    def fulfil(self) -> None:
        pass


class RatedOrderVersion(models.Model):
    order = models.ForeignKey(RatedOrder, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(
        max_length=20,
        choices=DocumentKind.choices,
        default=DocumentKind.ORDER,
        help_text="What this version's signed document is: the order, or the notice cancelling it.",
    )
    items_snapshot = models.JSONField(help_text="The items as issued in this version (what the document prints).")
    issued_at = models.DateTimeField(help_text="Time of signing; every date on the document comes from here.")
    amendment_reason = models.TextField(blank=True)
    significance = models.CharField(
        max_length=20, choices=AmendmentSignificance.choices, default=AmendmentSignificance.ORIGINAL
    )
    # One entry per item and date that changed: a 40-item amendment has 40 reasons, so no length limit.
    significance_basis = models.TextField(blank=True, help_text="Why the change is (not) significant, item by item.")
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="What this version changed, per item: [{position, what, before, after}] (the document prints it).",
    )
    fingerprint = models.CharField(
        max_length=64,
        help_text="SHA-256 of the canonical content of this version (printed on the order and in its QR code).",
    )
    superseded = models.BooleanField(default=False)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Document generation (Celery task generate_order_document).
    generation_status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    generation_error = models.TextField(blank=True)
    generation_attempts = models.PositiveIntegerField(default=0)
    # For the supplier-notice work of the supplier issue: what the supplier must be told.
    supplier_notice_kind = models.CharField(max_length=10, choices=SupplierNoticeKind.choices)
    supplier_notified_at = models.DateTimeField(null=True, blank=True)
    # Supplier response clock. Receipt = delivery of the first order notice of this
    # version to a contact of the supplier (services.order_clocks).
    received_at = models.DateTimeField(
        null=True, blank=True, help_text="Receipt: first order notice of this version sent to a supplier contact (UTC)."
    )
    response_due_at = models.DateTimeField(
        null=True, blank=True, help_text="Accept or reject by (UTC): receipt + DO/DX working days, or emergency hours."
    )
    clock_closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the response clock stopped (answered, superseded or cancelled)."
    )
    last_reminder_offset = models.PositiveIntegerField(
        null=True, blank=True, help_text="Smallest reminder offset (working days before due) already sent."
    )
    overdue_escalated_at = models.DateTimeField(null=True, blank=True)
    earliest_required_date = models.DateField(
        null=True, blank=True, help_text="Earliest required delivery date on this version (precedence, 15 CFR 700.14)."
    )

    class Meta:
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order.order_number} v{self.number}"


class RatedOrderItem(models.Model):
    version = models.ForeignKey(RatedOrderVersion, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    po_number = models.CharField(max_length=60)
    description = models.CharField(max_length=300)
    part_number = models.CharField(max_length=100, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit = models.CharField(max_length=30)
    ship_to = models.CharField(max_length=300, blank=True)
    required_dates = models.JSONField(help_text="Required delivery dates (ISO), each with an optional quantity.")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="order_item_position_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.quantity} {self.unit})"


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50, 11.70): bound to one version's one document."""

    version = models.ForeignKey(RatedOrderVersion, on_delete=models.PROTECT, related_name="signatures")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.ORDER)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    title = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(help_text="UTC.")
    meaning = models.CharField(max_length=120)
    delegation = models.CharField(max_length=300, blank=True)
    program_determination = models.TextField(
        blank=True, help_text="The program determination in force when signed, as the document prints it."
    )
    content_fingerprint = models.CharField(max_length=64, help_text="Fingerprint of the content signed.")
    document_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the exact (unsigned, deterministic) rendering signed."
    )

    class Meta:
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="signature_one_per_document")]

    def __str__(self) -> str:
        return f"{self.printed_name}, {self.meaning} ({agency_time(self.signed_at)})"


class Document(models.Model):
    version = models.ForeignKey(RatedOrderVersion, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, storage=private_storage, max_length=300)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the stored (PAdES-signed) file.")
    unsigned_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the deterministic unsigned rendering.")
    size = models.PositiveBigIntegerField()
    pages = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "kind"]
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="document_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.version} {self.get_kind_display()}"


class SupplierResponse(models.Model):
    """A supplier's signed answer to one version of a rated order (15 CFR 700.13; 21 CFR 11.50).

    Never edited: a new answer (after a significant amendment) is a new row.
    """

    order = models.ForeignKey(RatedOrder, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(RatedOrderVersion, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=20, choices=SupplierResponseKind.choices)
    responder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    title = models.CharField(max_length=150, blank=True)
    responded_at = models.DateTimeField(help_text="UTC.")
    meaning = models.CharField(max_length=200)
    reason_code = models.CharField(max_length=30, choices=RejectionReason.choices, blank=True)
    explanation = models.TextField(blank=True, help_text="Written reasons (rejection or delay).")
    earliest_date = models.DateField(null=True, blank=True, help_text="Cannot meet the date: earliest date it can.")
    offers_to_accept_on_that_basis = models.BooleanField(default=False)
    conflicting_level = models.CharField(
        max_length=2,
        choices=RatingLevel.choices,
        blank=True,
        help_text="Interference rejection: the level of the accepted rated order it would interfere with.",
    )
    channel = models.CharField(
        max_length=100, blank=True, help_text="Delay reported outside the portal: how (phone call, meeting...)."
    )
    confirms = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmation",
        help_text="Written confirmation: the delay report it confirms.",
    )
    new_date = models.DateField(null=True, blank=True, help_text="Delay: the new delivery date.")
    confirmation_due = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Delay reported outside the portal: written confirmation due (DELAY_CONFIRMATION_WORKING_DAYS).",
    )
    late = models.BooleanField(default=False, help_text="Answered after the response was due.")
    content_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the signed content, bound to the version's fingerprint (21 CFR 11.70)."
    )

    class Meta:
        ordering = ["responded_at", "pk"]
        indexes = [models.Index(fields=["order", "kind"], name="supplier_response_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=SupplierResponseKind.REJECT) | ~models.Q(reason_code=""),
                name="response_reject_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason_code=RejectionReason.CANNOT_MEET_DATE)
                | models.Q(earliest_date__isnull=False),
                name="response_cannot_meet_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=SupplierResponseKind.DELAY) | models.Q(new_date__isnull=False),
                name="response_delay_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.printed_name} ({agency_time(self.responded_at)})"

    @property
    def citation(self) -> str:
        """The rule the rejection reason comes from."""
        return REJECTION_REASON_CITATIONS.get(self.reason_code, "")
