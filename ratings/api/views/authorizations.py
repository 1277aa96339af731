"""Rating authorizations: what HHS's approval authorizes the applicant to order (45 CFR
101.32(a)(3)). The authorized party's applicants and signers read theirs (HHS staff and auditors
all) and download the sealed document; an authorized signer places and signs one rated order
per authorized supplier under it. The same services as the portal."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ratings.api import authorization_serializers as s
from ratings.api import order_serializers
from ratings.api.base import PageQuery, ResourceView, stored_file
from ratings.api.schema import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ERRORS,
    responses,
)
from ratings.api.views.orders import orders_for, with_details
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import RatingAuthorization
from ratings.selectors import authorizations as authorization_selectors
from ratings.services import items
from ratings.services.authorizations import documents as authorization_documents
from ratings.services.orders import placing

TAG = ["Authorizations"]


class AuthorizationListQuery(PageQuery):
    status = serializers.ChoiceField(choices=AuthorizationStatus.choices, required=False)


class AuthorizationView(ResourceView[RatingAuthorization]):
    def load(self, number: str) -> RatingAuthorization:
        return get_object_or_404(authorization_selectors.authorizations_for(self.request.user), number=number)

    def data(self, authorization: RatingAuthorization) -> Any:
        return s.AuthorizationSerializer(authorization).data


class AuthorizationList(AuthorizationView):
    lists = True
    list_query = AuthorizationListQuery
    cursor_ordering = ("signed_at", "pk")

    @extend_schema(
        operation_id="authorizations_list",
        tags=TAG,
        summary="List rating authorizations",
        description="The authorized party's applicants and authorized signers: their organization's; HHS staff "
        "and auditors: all. Oldest first.",
        parameters=[AuthorizationListQuery, IF_NONE_MATCH],
        responses=responses(s.AuthorizationSummarySerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        queryset = self.filtered(authorization_selectors.authorizations_for(request.user), "status")
        return self.paged(queryset, s.AuthorizationSummarySerializer)


class AuthorizationDetail(AuthorizationView):
    @extend_schema(
        operation_id="authorizations_retrieve",
        tags=TAG,
        summary="Read a rating authorization",
        description="The authorized items (quantities and delivery windows), validity, conditions, the approving "
        "official's signature, and each authorized supplier with the order placed with it.",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.AuthorizationSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, number: str) -> Response:
        return self.fresh(number)


class AuthorizationDocument(AuthorizationView):
    @extend_schema(
        operation_id="authorizations_document_download",
        tags=TAG,
        summary="Download the sealed authorization",
        description="The PAdES-sealed PDF. 404 until it is generated. Every download is audited.",
        responses=responses(OpenApiTypes.BINARY, *DETAIL_ERRORS, media="application/pdf"),
    )
    def get(self, request: Request, number: str) -> FileResponse:
        authorization = authorization_documents.authorization_document_download(number=number, actor=self.actor)
        return stored_file(
            authorization.document.open("rb"),
            filename=f"{authorization.number}-v{authorization.version}-authorization.pdf",
            content_type="application/pdf",
            sha256=authorization.document_sha256,
        )


class AuthorizationPlaceOrder(AuthorizationView):
    @extend_schema(
        operation_id="authorizations_orders_place",
        tags=TAG,
        summary="Place a rated order under the authorization",
        description="An authorized signer of the authorized party places and signs one rated order with one "
        "authorized supplier (password, and authenticator code if you use one; 21 CFR 11.200): items by "
        "position, quantities at most those authorized, dates within each item's window (45 CFR 101.32). The "
        "supplier is told at once. If-Match is the authorization's ETag. Returns the order (201, Location).",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=s.PlaceOrderSerializer,
        responses=responses(order_serializers.OrderSerializer, *CHANGE_ERRORS, ok_status=201),
    )
    def post(self, request: Request, number: str) -> Response:
        authorization = self.current(number)
        data = self.parsed(s.PlaceOrderSerializer).validated_data
        order = placing.rated_order_place(
            authorization=authorization,
            actor=self.actor,
            supplier_id=data["supplier"],
            po_number=data["po_number"],
            items=[
                placing.PlacedItemInput(
                    position=item["position"],
                    quantity=item["quantity"],
                    deliveries=[items.DeliveryInput(d["required_date"], d.get("quantity")) for d in item["deliveries"]],
                    ship_to=item.get("ship_to"),
                )
                for item in data["items"]
            ],
            password=data["password"],
            otp=data["otp"],
            expected_version=authorization.version,
        )
        placed = get_object_or_404(with_details(orders_for(request.user)), pk=order.pk)
        location = reverse("api-order", args=[placed.order_number])
        return self.representation(
            order_serializers.OrderSerializer(placed).data, status.HTTP_201_CREATED, location=location
        )
