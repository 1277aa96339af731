"""Webhook endpoints, their deliveries, and the event feed as the API shows them."""

from __future__ import annotations

from rest_framework import serializers

from ratings.constants import WebhookEventType
from ratings.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=500, help_text="https://… on the internet (http and local only in development)."
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False, max_length=20
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndpointCreateSerializer(EndpointInputSerializer):
    organization = serializers.IntegerField(
        required=False, min_value=1, help_text="Your organization's id; needed only if you belong to several."
    )


class EndpointUpdateSerializer(EndpointInputSerializer):
    is_active = serializers.BooleanField(
        default=True, help_text="false pauses deliveries; true enables a disabled endpoint again."
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organization",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_reason",
            "consecutive_failures",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="whsec_… signing secret. Shown only now: keep it where your receiver can read it."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.event_id")
    event_type = serializers.ChoiceField(source="event.type", choices=WebhookEventType.choices)
    attempt_log = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_status_code",
            "last_error",
            "updated_at",
            "attempt_log",
        ]


class WebhookEventSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="event_id", help_text="The webhook-id of this event's deliveries.")
    type = serializers.ChoiceField(choices=WebhookEventType.choices)
    data = serializers.JSONField(  # type: ignore[assignment]  # a field named like Serializer.data
        source="payload.data", help_text="What changed, with the API address to read it."
    )

    class Meta:
        model = WebhookEvent
        fields = ["id", "type", "organization", "occurred_at", "data"]
