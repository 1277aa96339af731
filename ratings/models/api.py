"""What the API keeps beyond the domain: idempotent replays, and webhooks (Standard Webhooks).

Webhook events are written in the transaction of their cause (the same outbox pattern as
e-mail notices); a delivery row per (event, endpoint) is what makes "never twice per event"
a database constraint rather than a hope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ratings.constants import WebhookDeliveryStatus


class IdempotencyRecord(models.Model):
    """A POST sent with an Idempotency-Key, and the response it got (kept 24 hours)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while in progress.")
    body = models.JSONField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class WebhookEndpoint(models.Model):
    organization = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField(max_length=500, help_text="Where events are POSTed (https outside development).")
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="Subscribed event types (WebhookEventType).")
    secret = models.CharField(max_length=100, help_text="whsec_… signing secret (Standard Webhooks).")
    previous_secret = models.CharField(max_length=100, blank=True, help_text="Still signs until it expires.")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.url} ({self.organization_id})"


class WebhookEvent(models.Model):
    """One event for one organization: the feed's row and the webhook message (`webhook-id`)."""

    event_id = models.CharField(max_length=40, unique=True, help_text="msg_… id, the same on every retry.")
    type = models.CharField(max_length=40)
    organization = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField()
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["organization", "id"], name="webhook_event_feed_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class WebhookDelivery(models.Model):
    event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}: {self.status}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: the log a receiver's operator reads."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code}"
