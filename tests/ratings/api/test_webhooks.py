"""Webhooks (Standard Webhooks): signed deliveries from the outbox, retries with a log, never
twice, replays, disabling with a notice, secret rotation with overlap, URL checks, the feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed
from ratings.constants import NotificationKind, WebhookDeliveryStatus
from ratings.models import Notification, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ratings.services.webhooks import delivery, endpoints, events
from tests.ratings.api.receiver import receiver
from tests.ratings.api.test_requests_api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def local(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 4
    with receiver() as hook:
        yield hook


def _register(cast, url: str, types=("order.issued",)) -> tuple[WebhookEndpoint, str]:
    return endpoints.webhook_endpoint_create(
        actor=cast.supplier,
        organization=cast.supplier_org,
        values=endpoints.EndpointInput(url=url, event_types=list(types)),
    )


def _event(cast, type: str = "order.issued") -> WebhookDelivery | None:
    event = events.event_publish(type=type, organization_ids=[cast.supplier_org.pk], data={"order_number": "X-1"})[0]
    return WebhookDelivery.objects.filter(event=event).first()


def test_a_delivery_is_signed_per_standard_webhooks_and_sent_once(cast, local):
    _endpoint, secret = _register(cast, local.url)
    sent = _event(cast)

    first = delivery.webhook_deliver(delivery_id=sent.pk)
    again = delivery.webhook_deliver(delivery_id=sent.pk)

    assert (first.status, again.status) == ("delivered", "skipped")
    assert len(local.received) == 1
    hit = local.received[0]
    payload = Webhook(secret).verify(hit.body, hit.headers)
    assert payload == {"type": "order.issued", "timestamp": payload["timestamp"], "data": {"order_number": "X-1"}}
    assert hit.headers["webhook-id"] == sent.event.event_id
    assert hit.headers["webhook-signature"].startswith("v1,")
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, list(sent.attempt_log.values_list("status_code", flat=True))) == (
        WebhookDeliveryStatus.DELIVERED,
        1,
        [204],
    )


def test_an_event_type_not_chosen_is_not_sent_but_stays_in_the_feed(cast, local):
    _register(cast, local.url, types=("order.cancelled",))

    assert _event(cast, "order.issued") is None
    assert WebhookEvent.objects.count() == 1  # still in the feed


def test_failed_attempts_are_logged_retried_with_the_same_id_then_failed(cast, local):
    _endpoint, _secret = _register(cast, local.url)
    sent = _event(cast)
    local.answers = [500, 503, 500]

    outcomes = [delivery.webhook_deliver(delivery_id=sent.pk) for _ in range(3)]

    assert [o.status for o in outcomes] == ["retry", "retry", "failed"]
    assert 0 < outcomes[0].retry_in <= 30
    assert {hit.headers["webhook-id"] for hit in local.received} == {sent.event.event_id}
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.last_error) == (WebhookDeliveryStatus.FAILED, 3, "HTTP 500")
    assert list(sent.attempt_log.values_list("status_code", "error")) == [
        (500, "HTTP 500"),
        (503, "HTTP 503"),
        (500, "HTTP 500"),
    ]


def test_an_endpoint_that_keeps_failing_is_disabled_audited_and_its_owner_told(cast, local):
    endpoint, _secret = _register(cast, local.url)
    local.answers = [500] * 10
    first, second = _event(cast), _event(cast)

    for sent in (first, first, first, second):
        delivery.webhook_deliver(delivery_id=sent.pk)
    endpoint.refresh_from_db()

    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 4)
    assert endpoint.disabled_reason.startswith("4 failed attempts in a row")
    assert AuditEvent.objects.filter(action="webhook.disable", outcome="failure").count() == 1
    notice = Notification.objects.get(kind=NotificationKind.WEBHOOK_DISABLED)
    assert (notice.recipient, notice.email) == (cast.supplier, cast.supplier.email)
    assert "/api/v1/events/" in notice.body_text
    assert WebhookDelivery.objects.get(pk=second.pk).status == WebhookDeliveryStatus.FAILED
    assert _event(cast) is None  # nothing more is queued for it


def test_a_failed_delivery_is_replayed_on_request_with_the_same_id(cast, local):
    endpoint, _secret = _register(cast, local.url)
    sent = _event(cast)
    local.answers = [500, 500, 500]
    for _ in range(3):
        delivery.webhook_deliver(delivery_id=sent.pk)
    api = client_for(cast.supplier)
    etag = api.get(f"/api/v1/webhooks/{endpoint.pk}/")["ETag"]

    replayed = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{sent.pk}/replay/", HTTP_IF_MATCH=etag)
    delivery.webhook_deliver(delivery_id=sent.pk)

    assert replayed.status_code == 200, replayed.content
    assert replayed.json()["status"] == "pending"
    assert [hit.headers["webhook-id"] for hit in local.received] == [sent.event.event_id] * 4
    assert WebhookDelivery.objects.get(pk=sent.pk).status == WebhookDeliveryStatus.DELIVERED
    log = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"][0]["attempt_log"]
    assert [a["status_code"] for a in log] == [500, 500, 500, 204]
    assert AuditEvent.objects.filter(action="webhook.replay", actor=cast.supplier).count() == 1


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(cast, local):
    endpoint, old = _register(cast, local.url)
    endpoint, new = endpoints.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=cast.supplier)

    delivery.webhook_deliver(delivery_id=_event(cast).pk)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now() - dt.timedelta(1))
    delivery.webhook_deliver(delivery_id=_event(cast).pk)

    during, after = local.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(new).verify(during.body, during.headers)
    Webhook(new).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


@pytest.mark.parametrize(
    "url",
    [
        "http://erp.example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "https://erp.internal/hook",
        "ftp://erp.example.com/",
    ],
)
def test_endpoints_must_be_https_on_the_internet_outside_development(cast, url):
    with pytest.raises(ValidationFailed) as refused:
        _register(cast, url)
    assert refused.value.field == "url"
    assert WebhookEndpoint.objects.count() == 0


def test_a_public_https_endpoint_is_registered_through_the_api_and_its_secret_shown_once(cast):
    api = client_for(cast.supplier)

    created = api.post(
        "/api/v1/webhooks/", {"url": "https://erp.filtra.example/dpa", "event_types": ["order.issued"]}, format="json"
    )
    read = api.get(created["Location"])

    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert "secret" not in read.json()
    assert read.json()["event_types"] == ["order.issued"]


def test_private_addresses_are_refused_at_delivery_too(cast, settings):
    endpoint, _ = _register(cast, "https://erp.filtra.example/dpa")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="https://127.0.0.1:9/hook")

    delivery.webhook_deliver(delivery_id=_event(cast).pk)

    assert "private or loopback" in WebhookDelivery.objects.get().last_error


def test_the_feed_shows_an_organizations_own_events_and_always_gives_a_next_cursor(cast):
    events.event_publish(type="order.issued", organization_ids=[cast.supplier_org.pk], data={"n": 1})
    events.event_publish(type="order.issued", organization_ids=[cast.supplier_org2.pk], data={"n": 2})
    supplier = client_for(cast.supplier)

    page = supplier.get("/api/v1/events/").json()
    events.event_publish(type="order.amended", organization_ids=[cast.supplier_org.pk], data={"n": 3})
    later = supplier.get(page["next"]).json()
    empty = supplier.get(later["next"]).json()

    assert [e["data"] for e in page["results"]] == [{"n": 1}]
    assert [(e["type"], e["data"]) for e in later["results"]] == [("order.amended", {"n": 3})]
    assert (empty["results"], empty["next"].endswith(later["next"].split("?")[1])) == ([], True)
    assert client_for(cast.applicant2).get("/api/v1/events/").json()["results"] == []


def test_someone_outside_the_organization_cannot_register_and_is_audited(cast):
    response = client_for(cast.auditor).post(
        "/api/v1/webhooks/", {"url": "https://erp.example/dpa", "event_types": ["order.issued"]}, format="json"
    )

    assert response.status_code == 403
    assert WebhookEndpoint.objects.count() == 0
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("webhook.create", "denied")]
