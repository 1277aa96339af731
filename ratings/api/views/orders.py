"""Rated orders: suppliers answer the orders addressed to them and extend them; manufacturers
read the orders issued for their requests; HHS staff and auditors read all. One service a call."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dpa_portal.errors import ValidationFailed
from ratings.api import order_serializers as s
from ratings.api.base import ApiView, ListQuery, ResourceAction, ResourceView, stored_file
from ratings.api.schema import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ERRORS,
    responses,
)
from ratings.constants import OrderStatus
from ratings.models import Organization, RatedOrder, RatedOrderVersion, SupplierResponse
from ratings.selectors import orders as order_selectors
from ratings.selectors import requests as request_selectors
from ratings.services.orders import documents as order_documents
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as answers

TAG = ["Orders"]


def orders_for(user: Any) -> QuerySet[RatedOrder]:
    return order_selectors.rated_orders_for(user).select_related("parent")


def with_details(queryset: QuerySet[RatedOrder]) -> QuerySet[RatedOrder]:
    return queryset.prefetch_related(
        Prefetch("versions", RatedOrderVersion.objects.select_related("order").order_by("number")),
        Prefetch("responses", SupplierResponse.objects.order_by("responded_at", "pk")),
    )


class OrderListQuery(ListQuery):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, required=False, help_text="Only orders in this status."
    )
    role = serializers.ChoiceField(
        choices=[("supplier", "addressed to my organization"), ("placing", "placed by my organization")],
        required=False,
        help_text="supplier: orders you must answer; placing: orders placed by (or extended from) your organization.",
    )


class OrderList(ApiView):
    lists = True
    list_query = OrderListQuery

    @extend_schema(
        operation_id="orders_list",
        tags=TAG,
        summary="List rated orders",
        description="Suppliers: orders addressed to your organization and those you extended; manufacturers: "
        "orders issued for your requests; HHS staff and auditors: all. Oldest change first.",
        parameters=[OrderListQuery, IF_NONE_MATCH],
        responses=responses(s.OrderSummarySerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        params = self.query()
        queryset = self.filtered(orders_for(request.user), "status")
        if params.get("role") == "supplier":
            queryset = queryset.filter(supplier_id__in=_my_organizations(request.user))
        elif params.get("role") == "placing":
            queryset = queryset.filter(placing_organization_id__in=_my_organizations(request.user))
        return self.paged(queryset, s.OrderSummarySerializer)


def _my_organizations(user: Any) -> set[int]:
    return {m.organization_id for m in user.memberships.filter(is_active=True)}


class RequestOrderList(ApiView):
    lists = True

    @extend_schema(
        operation_id="requests_orders_list",
        tags=["Requests"],
        summary="Orders issued for a request",
        description="The rated orders HHS issued when it approved the request (one per supplier).",
        parameters=[ListQuery, IF_NONE_MATCH],
        responses=responses(s.OrderSummarySerializer(many=True), 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, reference: str) -> Response:
        rating_request = get_object_or_404(request_selectors.rating_requests_for(request.user), reference=reference)
        return self.paged(orders_for(request.user).filter(source_request=rating_request), s.OrderSummarySerializer)


class OrderView(ResourceView[RatedOrder]):
    def load(self, order_number: str) -> RatedOrder:
        return get_object_or_404(with_details(orders_for(self.request.user)), order_number=order_number)

    def data(self, order: RatedOrder) -> Any:
        return s.OrderSerializer(order).data


class OrderDetail(OrderView):
    @extend_schema(
        operation_id="orders_retrieve",
        tags=TAG,
        summary="Read a rated order",
        description="Its versions (items, required dates, signed document) and the supplier's answers.",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.OrderSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, order_number: str) -> Response:
        return self.fresh(order_number)


class OrderDocument(OrderView):
    @extend_schema(
        operation_id="orders_document_download",
        tags=TAG,
        summary="Download a version's signed PDF",
        description="The PAdES-signed rated order (or cancellation notice) of one version. 404 until it is "
        "generated (the `order.document_ready` event says when). Every download is audited.",
        responses=responses(OpenApiTypes.BINARY, *DETAIL_ERRORS, media="application/pdf"),
    )
    def get(self, request: Request, order_number: str, version: int) -> FileResponse:
        order, document = order_documents.order_document_download(
            order_number=order_number, version=version, actor=self.actor
        )
        return stored_file(
            document.file.open("rb"),
            filename=f"{order.order_number}-v{version}-{document.kind}.pdf",
            content_type="application/pdf",
            sha256=document.sha256,
        )


class _OrderAction(OrderView, ResourceAction[RatedOrder]):
    def perform(self, order: RatedOrder, data: dict[str, Any]) -> RatedOrder | None:
        raise NotImplementedError

    def answer(self, order_number: str, created: RatedOrder | None) -> Response:
        """The order, or the new order an action made from it (a flow-down), at its own address."""
        if created is None:
            return self.fresh(order_number)
        location = reverse("api-order", args=[created.order_number])
        return self.fresh(created.order_number, status.HTTP_201_CREATED, location=location)


def action_schema(name: str, summary: str, description: str, body: Any = None, ok_status: int = 200) -> Any:
    return extend_schema(
        operation_id=f"orders_{name}",
        tags=TAG,
        summary=summary,
        description=description,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=body,
        responses=responses(s.OrderSerializer, *CHANGE_ERRORS, ok_status=ok_status),
    )


class OrderAccept(_OrderAction):
    @action_schema("accept", "Accept an order", "Accept the current version (15 CFR 700.13); signed with your name.")
    def post(self, request: Request, order_number: str) -> Response:
        return super().post(request, order_number)

    def perform(self, order: RatedOrder, data: dict[str, Any]) -> None:
        answers.rated_order_accept(order=order, actor=self.actor, expected_version=order.current_version)


class OrderReject(_OrderAction):
    input_serializer = s.RejectSerializer

    @action_schema(
        "reject",
        "Reject an order",
        "With a reason and written reasons. cannot_meet_date needs the earliest date you can meet and may "
        "offer to accept on that basis; interference reasons apply to the level they name (15 CFR 700.13).",
        s.RejectSerializer,
    )
    def post(self, request: Request, order_number: str) -> Response:
        return super().post(request, order_number)

    def perform(self, order: RatedOrder, data: dict[str, Any]) -> None:
        answers.rated_order_reject(
            order=order,
            actor=self.actor,
            reason_code=data["reason_code"],
            explanation=data["explanation"],
            earliest_date=data.get("earliest_date"),
            offers_to_accept=data.get("offers_to_accept", False),
            conflicting_level=data.get("conflicting_level", ""),
            expected_version=order.current_version,
        )


class OrderDelay(_OrderAction):
    input_serializer = s.DelaySerializer

    @action_schema(
        "delay", "Notify a delay", "After acceptance: the reasons and the new delivery date.", s.DelaySerializer
    )
    def post(self, request: Request, order_number: str) -> Response:
        return super().post(request, order_number)

    def perform(self, order: RatedOrder, data: dict[str, Any]) -> None:
        answers.rated_order_notify_delay(
            order=order,
            actor=self.actor,
            reasons=data["reasons"],
            new_date=data["new_date"],
            expected_version=order.current_version,
        )


class OrderFulfil(_OrderAction):
    @action_schema("fulfil", "Mark an order fulfilled", "The accepted order is delivered in full.")
    def post(self, request: Request, order_number: str) -> Response:
        return super().post(request, order_number)

    def perform(self, order: RatedOrder, data: dict[str, Any]) -> None:
        answers.rated_order_mark_fulfilled(order=order, actor=self.actor, expected_version=order.current_version)


class OrderFlowdown(_OrderAction):
    input_serializer = s.FlowdownSerializer

    @action_schema(
        "flowdown",
        "Extend the rating to a sub-tier supplier",
        "A child rated order with the same rating, signed by you (password, and authenticator code if you use "
        "one). Quantities at most the parent's total in the same unit (another unit needs a scope_basis); dates no "
        "later than the parent's latest; an emergency order's time limit is carried down (45 CFR 101.35). "
        "Returns the new order (201, Location).",
        s.FlowdownSerializer,
        ok_status=201,
    )
    def post(self, request: Request, order_number: str) -> Response:
        return super().post(request, order_number)

    def perform(self, order: RatedOrder, data: dict[str, Any]) -> RatedOrder:
        sub_supplier = Organization.objects.filter(pk=data["sub_supplier"]).first()
        if sub_supplier is None:
            raise ValidationFailed("No such supplier organization.", field="sub_supplier")
        return flowdown.flowdown_order_create(
            parent=order,
            actor=self.actor,
            sub_supplier=sub_supplier,
            po_number=data["po_number"],
            items=[
                flowdown.FlowdownItemInput(
                    description=item["description"],
                    quantity=item["quantity"],
                    unit=item["unit"],
                    required_dates=item["required_dates"],
                    part_number=item.get("part_number", ""),
                    scope_basis=item.get("scope_basis", ""),
                )
                for item in data["items"]
            ],
            password=data["password"],
            otp=data.get("otp", ""),
        )
