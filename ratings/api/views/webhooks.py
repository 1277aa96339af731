"""Webhook endpoints (Standard Webhooks), their delivery log and replays, and the event feed."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ratings import permissions
from ratings.api import webhook_serializers as s
from ratings.api.base import ApiView, FeedPages, PageQuery, ResourceView, named_or_only
from ratings.api.schema import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ERRORS,
    responses,
)
from ratings.constants import WebhookEventType
from ratings.models import Organization, WebhookEndpoint
from ratings.selectors import webhooks as selectors
from ratings.services.webhooks import endpoints

TAG = ["Webhooks"]


def _organization(user: Any, requested_id: int | None) -> Organization | None:
    """The organization named, else the caller's only one that may have webhooks (the service
    refuses, audited, when there is none)."""
    org_ids = permissions.organization_ids(user, *permissions.WEBHOOK_ROLES)
    organizations = Organization.objects.filter(pk__in=org_ids).order_by("pk")
    return named_or_only(
        organizations, requested_id, "You belong to several organizations; name one in 'organization'."
    )


def _values(data: dict[str, Any]) -> endpoints.EndpointInput:
    return endpoints.EndpointInput(url=data["url"], event_types=data["event_types"], description=data["description"])


class EndpointList(ApiView):
    lists = True
    list_query = PageQuery
    cursor_ordering = ("pk",)

    @extend_schema(
        operation_id="webhooks_list",
        tags=TAG,
        summary="List webhook endpoints",
        description="Your organizations' endpoints (applicants and supplier contacts manage them).",
        parameters=[PageQuery, IF_NONE_MATCH],
        responses=responses(s.WebhookEndpointSerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        return self.paged(selectors.webhook_endpoints_for(request.user), s.WebhookEndpointSerializer)

    @extend_schema(
        operation_id="webhooks_create",
        tags=TAG,
        summary="Register a webhook endpoint",
        description="Events of the chosen types are POSTed to `url`, signed per Standard Webhooks with the "
        "returned `secret` (shown once). Retried with backoff; disabled after repeated failure (you are e-mailed).",
        parameters=[IDEMPOTENCY_KEY],
        request=s.EndpointCreateSerializer,
        responses=responses(s.WebhookEndpointWithSecretSerializer, *CREATE_ERRORS, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        data = self.parsed(s.EndpointCreateSerializer).validated_data
        endpoint, secret = endpoints.webhook_endpoint_create(
            actor=self.actor, organization=_organization(request.user, data.get("organization")), values=_values(data)
        )
        body = {**s.WebhookEndpointSerializer(endpoint).data, "secret": secret}
        return self.representation(body, status.HTTP_201_CREATED, location=reverse("api-webhook", args=[endpoint.pk]))


class EndpointView(ResourceView[WebhookEndpoint]):
    def load(self, pk: int) -> WebhookEndpoint:
        return get_object_or_404(selectors.webhook_endpoints_for(self.request.user), pk=pk)

    def data(self, endpoint: WebhookEndpoint) -> Any:
        return s.WebhookEndpointSerializer(endpoint).data


class EndpointDetail(EndpointView):
    @extend_schema(
        operation_id="webhooks_retrieve",
        tags=TAG,
        summary="Read a webhook endpoint",
        description="Its address, the event types it receives, whether it is active (and why not), its consecutive "
        "failed deliveries, and until when the previous signing secret is still accepted.",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.WebhookEndpointSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.fresh(pk)

    @extend_schema(
        operation_id="webhooks_update",
        tags=TAG,
        summary="Change a webhook endpoint",
        description="Its address, events, description; `is_active` false pauses it, true enables it again.",
        parameters=[IF_MATCH],
        request=s.EndpointUpdateSerializer,
        responses=responses(s.WebhookEndpointSerializer, *CHANGE_ERRORS),
    )
    def put(self, request: Request, pk: int) -> Response:
        endpoint = self.current(pk)
        serializer = self.parsed(s.EndpointUpdateSerializer)
        endpoints.webhook_endpoint_update(
            endpoint=endpoint,
            actor=self.actor,
            values=_values(serializer.validated_data),
            is_active=serializer.validated_data["is_active"],
            expected_version=endpoint.version,
        )
        return self.fresh(pk)

    @extend_schema(
        operation_id="webhooks_delete",
        tags=TAG,
        summary="Remove a webhook endpoint",
        description="Nothing more is sent to it, and its delivery log goes with it; the audit trail keeps what happened.",
        parameters=[IF_MATCH],
        responses={204: None, **responses(None, *CHANGE_ERRORS)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = self.current(pk)
        endpoints.webhook_endpoint_delete(endpoint=endpoint, actor=self.actor, expected_version=endpoint.version)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotate(EndpointView):
    @extend_schema(
        operation_id="webhooks_rotate_secret",
        tags=TAG,
        summary="Rotate the signing secret",
        description="A new secret (shown once) signs from now on; the old one adds a second signature for "
        "24 hours, so your receiver can switch without losing events.",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=None,
        responses=responses(s.WebhookEndpointWithSecretSerializer, *CHANGE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = self.current(pk)
        endpoint, secret = endpoints.webhook_endpoint_rotate_secret(
            endpoint=endpoint, actor=self.actor, expected_version=endpoint.version
        )
        return self.representation({**self.data(self.load(pk)), "secret": secret})


class DeliveryQuery(PageQuery):
    status = serializers.ChoiceField(
        choices=[("pending", "pending"), ("sending", "sending"), ("delivered", "delivered"), ("failed", "failed")],
        required=False,
    )


class DeliveryList(EndpointView):
    lists = True
    list_query = DeliveryQuery
    cursor_ordering = ("pk",)

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        tags=TAG,
        summary="An endpoint's deliveries",
        description="One row per event sent to the endpoint, with every attempt (time, status code, error).",
        parameters=[DeliveryQuery, IF_NONE_MATCH],
        responses=responses(s.WebhookDeliverySerializer(many=True), 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, pk: int) -> Response:
        queryset = self.filtered(selectors.webhook_deliveries_for(self.load(pk)), "status")
        return self.paged(queryset, s.WebhookDeliverySerializer)


class DeliveryReplay(EndpointView):
    @extend_schema(
        operation_id="webhooks_deliveries_replay",
        tags=TAG,
        summary="Replay a delivery",
        description="Send the event again (same webhook-id). If-Match is the endpoint's ETag.",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=None,
        responses=responses(s.WebhookDeliverySerializer, *CHANGE_ERRORS),
    )
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        endpoint = self.current(pk)
        delivery = get_object_or_404(selectors.webhook_deliveries_for(endpoint), pk=delivery_id)
        endpoints.webhook_delivery_replay(delivery=delivery, actor=self.actor)
        return self.representation(
            s.WebhookDeliverySerializer(selectors.webhook_deliveries_for(endpoint).get(pk=delivery_id)).data
        )


class EventQuery(PageQuery):
    type = serializers.ChoiceField(choices=WebhookEventType.choices, required=False)


class EventList(ApiView):
    lists = True
    list_query = EventQuery
    pagination_class = FeedPages
    cursor_ordering = ("pk",)

    @extend_schema(
        operation_id="events_list",
        tags=["Events"],
        summary="The event feed",
        description="The events webhooks deliver, oldest first, for systems that poll: keep the `next` "
        "cursor and ask the `next` address again later: it is always given, even on the last (or an empty) page.",
        parameters=[EventQuery, IF_NONE_MATCH],
        responses=responses(s.WebhookEventSerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        return self.paged(self.filtered(selectors.events_for(request.user), "type"), s.WebhookEventSerializer)


class EventDetail(ApiView):
    @extend_schema(
        operation_id="events_retrieve",
        tags=["Events"],
        summary="Read one event",
        description="One event of your organizations' feed by its id (the webhook-id of its deliveries): what changed, "
        "with the API address to read it.",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.WebhookEventSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, event_id: str) -> Response:
        event = get_object_or_404(selectors.events_for(request.user), event_id=event_id)
        return self.representation(s.WebhookEventSerializer(event).data)
