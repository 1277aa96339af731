"""Webhook endpoints and events, scoped to the caller's organizations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ratings import permissions
from ratings.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def webhook_endpoints_for(user: Any) -> QuerySet[WebhookEndpoint]:
    """The endpoints of organizations where the user manages webhooks."""
    org_ids = permissions.organization_ids(user, *permissions.WEBHOOK_ROLES)
    return WebhookEndpoint.objects.filter(organization_id__in=org_ids)


def webhook_deliveries_for(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").prefetch_related("attempt_log")


def events_for(user: Any) -> QuerySet[WebhookEvent]:
    """An organization's members read its events; HHS workflow staff and auditors read all."""
    if permissions.sees_business_data(user):
        return WebhookEvent.objects.all()
    return WebhookEvent.objects.filter(organization_id__in=permissions.organization_ids(user))
