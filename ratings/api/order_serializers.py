"""Rated orders as the API shows them, and the bodies of a supplier's answers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings.constants import RatingLevel, RejectionReason
from ratings.models import RatedOrder, RatedOrderVersion, SupplierResponse
from ratings.services import items
from ratings.services.suppliers.flowdown import SCOPE_BASIS_MAX_LENGTH


class OrderDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    quantity = serializers.CharField(allow_null=True)


class OrderItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    description = serializers.CharField()
    part_number = serializers.CharField(allow_blank=True)
    po_number = serializers.CharField(allow_blank=True)
    quantity = serializers.CharField()
    unit = serializers.CharField()
    ship_to = serializers.CharField(allow_blank=True)
    required_dates = OrderDateSerializer(many=True)


class OrderVersionSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, source="items_snapshot")
    document_url = serializers.SerializerMethodField(
        help_text="The signed PDF (PAdES), once generated (`document_status` generated); else null."
    )
    document_status = serializers.CharField(source="generation_status")

    class Meta:
        model = RatedOrderVersion
        fields = [
            "number",
            "kind",
            "issued_at",
            "fingerprint",
            "superseded",
            "amendment_reason",
            "significance",
            "received_at",
            "response_due_at",
            "document_status",
            "document_url",
            "items",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, obj: RatedOrderVersion) -> str | None:
        if obj.generation_status != "generated":
            return None
        return reverse("api-order-document", args=[obj.order.order_number, obj.number])


class SupplierResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplierResponse
        fields = [
            "kind",
            "printed_name",
            "title",
            "responded_at",
            "meaning",
            "reason_code",
            "explanation",
            "earliest_date",
            "offers_to_accept_on_that_basis",
            "conflicting_level",
            "new_date",
            "late",
        ]


class OrderSummarySerializer(serializers.ModelSerializer):
    placing_organization = serializers.CharField(source="placing_organization.legal_name")
    supplier = serializers.CharField(source="supplier.legal_name")
    request_reference = serializers.CharField(source="source_request.reference", allow_null=True)
    parent_order_number = serializers.SerializerMethodField()

    class Meta:
        model = RatedOrder
        fields = [
            "order_number",
            "status",
            "rating",
            "level",
            "current_version",
            "placing_organization",
            "supplier",
            "request_reference",
            "parent_order_number",
            "emergency_response_hours",
            "issued_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent_order_number(self, obj: RatedOrder) -> str | None:
        return obj.parent.order_number if obj.parent is not None else None


class OrderSerializer(OrderSummarySerializer):
    versions = OrderVersionSerializer(many=True)
    responses = SupplierResponseSerializer(many=True)
    cancellation_reason = serializers.CharField()

    class Meta(OrderSummarySerializer.Meta):
        fields = [*OrderSummarySerializer.Meta.fields, "cancellation_reason", "versions", "responses"]


class RejectSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=RejectionReason.choices)
    explanation = serializers.CharField(help_text="Written reasons for the rejection (15 CFR 700.13).")
    earliest_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="A mandatory reason (cannot_meet_date, interference): the earliest date you can deliver.",
    )
    offers_to_accept = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A reason that needs the earliest date: you offer to accept the order on that date.",
    )
    conflicting_level = serializers.ChoiceField(
        choices=RatingLevel.choices,
        required=False,
        help_text="An interference reason: the level of the accepted rated order this one would interfere with.",
    )


class DelaySerializer(serializers.Serializer):
    reasons = serializers.CharField(help_text="Why the delivery is delayed.")
    new_date = serializers.DateField(help_text="The new delivery date.")


class FlowdownItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=items.DESCRIPTION_MAX_LENGTH)
    part_number = serializers.CharField(max_length=items.PART_NUMBER_MAX_LENGTH, required=False, default="")
    quantity = serializers.CharField(help_text=items.QUANTITY_HELP)
    unit = serializers.CharField(max_length=items.UNIT_MAX_LENGTH)
    required_dates = serializers.ListField(child=serializers.DateField(), allow_empty=False)
    scope_basis = serializers.CharField(
        max_length=SCOPE_BASIS_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="Required when the unit is not one the parent order uses: why this quantity is needed to fill it.",
    )


class FlowdownSerializer(serializers.Serializer):
    sub_supplier = serializers.IntegerField(min_value=1, help_text="The sub-tier supplier's organization id.")
    po_number = serializers.CharField(max_length=items.PO_NUMBER_MAX_LENGTH)
    items = FlowdownItemSerializer(many=True, allow_empty=False)
    password = serializers.CharField(
        help_text="Your password: extending a rating is a rated-order signature (21 CFR 11.200).",
        style={"input_type": "password"},
    )
    otp = serializers.CharField(required=False, default="", help_text="Authenticator code, if you use one.")


def order_reference(order: RatedOrder) -> dict[str, Any]:
    return {"order_number": order.order_number, "status": order.status}
