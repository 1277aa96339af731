"""Rating authorizations as the API shows them (what HHS's approval authorizes), and the body
with which an authorized signer places a rated order under one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings.api.request_serializers import DeliveryInputSerializer
from ratings.models import RatingAuthorization
from ratings.selectors import authorizations as authorization_selectors
from ratings.services import items


class AuthorizedDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    quantity = serializers.CharField(allow_null=True)


class AuthorizedItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Name this item by its position when placing an order.")
    supplier_id = serializers.IntegerField()
    supplier = serializers.CharField()
    description = serializers.CharField()
    part_number = serializers.CharField(allow_blank=True)
    po_number = serializers.CharField(allow_blank=True, help_text="The PO number the request gave.")
    quantity = serializers.CharField(help_text="The most an order may carry.")
    unit = serializers.CharField()
    ship_to = serializers.CharField(allow_blank=True)
    window_start = serializers.DateField(help_text="The earliest delivery date an order may require.")
    window_end = serializers.DateField(help_text="The latest delivery date an order may require.")
    required_dates = AuthorizedDateSerializer(many=True)


class SupplierSlotSerializer(serializers.Serializer):
    supplier_id = serializers.IntegerField(source="supplier.pk")
    supplier = serializers.CharField(source="supplier.legal_name")
    order_number = serializers.SerializerMethodField(help_text="The order placed with the supplier; null: not yet.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_order_number(self, slot: authorization_selectors.SupplierSlot) -> str | None:
        return slot.order.order_number if slot.order is not None else None


class AuthorizationSummarySerializer(serializers.ModelSerializer):
    authorized_party = serializers.CharField(source="authorized_party.legal_name")
    request_reference = serializers.CharField(source="rating_request.reference", allow_null=True)

    class Meta:
        model = RatingAuthorization
        fields = [
            "number",
            "status",
            "rating",
            "level",
            "authorized_party",
            "request_reference",
            "valid_from",
            "valid_until",
            "signed_at",
            "version",
        ]


class AuthorizationSerializer(AuthorizationSummarySerializer):
    items = AuthorizedItemSerializer(many=True, source="items_snapshot")
    suppliers = serializers.SerializerMethodField(help_text="Each authorized supplier and the order placed with it.")
    document_status = serializers.CharField(source="generation_status")
    document_url = serializers.SerializerMethodField(help_text="The sealed PDF once generated; else null.")

    class Meta(AuthorizationSummarySerializer.Meta):
        fields = [
            *AuthorizationSummarySerializer.Meta.fields,
            "emergency_response_hours",
            "conditions",
            "legal_basis",
            "printed_name",
            "title",
            "meaning",
            "fingerprint",
            "document_status",
            "document_url",
            "items",
            "suppliers",
        ]

    @extend_schema_field(SupplierSlotSerializer(many=True))
    def get_suppliers(self, obj: RatingAuthorization) -> list[dict[str, Any]]:
        return list(SupplierSlotSerializer(authorization_selectors.supplier_slots(obj), many=True).data)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, obj: RatingAuthorization) -> str | None:
        if obj.generation_status != "generated":
            return None
        return reverse("api-authorization-document", args=[obj.number])


class PlacedItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, help_text="The authorized item's position.")
    quantity = serializers.CharField(help_text="At most the authorized quantity. " + items.QUANTITY_HELP)
    deliveries = serializers.ListField(
        child=DeliveryInputSerializer(),
        allow_empty=False,
        max_length=items.MAX_DATES_PER_ITEM,
        help_text="Dates within the authorized window; split quantities must add up to the quantity.",
    )
    ship_to = serializers.CharField(
        max_length=items.SHIP_TO_MAX_LENGTH, required=False, allow_blank=True, help_text="Omit: as authorized."
    )


class PlaceOrderSerializer(serializers.Serializer):
    supplier = serializers.IntegerField(min_value=1, help_text="An authorized supplier's organization id.")
    po_number = serializers.CharField(max_length=items.PO_NUMBER_MAX_LENGTH, help_text="Your purchase order number.")
    items = serializers.ListField(
        child=PlacedItemSerializer(), allow_empty=False, max_length=items.MAX_ITEMS_PER_REQUEST
    )
    password = serializers.CharField(
        style={"input_type": "password"},
        help_text="Your password: placing a rated order is a signature (21 CFR 11.200).",
    )
    otp = serializers.CharField(required=False, default="", help_text="Authenticator code, if you use one.")
