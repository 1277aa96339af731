"""Acceptance: a supplier's system with only a token learns of a new rated order by webhook,
verifies the signature, downloads the signed PDF, accepts the order; the applicant sees it."""

from __future__ import annotations

import hashlib
import json

from standardwebhooks.webhooks import Webhook

from ratings.constants import OrderStatus, RequestState
from ratings.models import Document, RatedOrder
from tests.factories import request_in_state
from tests.ratings.api.receiver import receiver
from tests.ratings.api.test_requests_api import client_for


def test_a_supplier_system_runs_on_the_api_and_webhooks_alone(cast, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver runs on this machine
    supplier_system, applicant_system = client_for(cast.supplier), client_for(cast.applicant)
    with receiver() as supplier_hook, receiver() as applicant_hook:
        # given both organizations registered an endpoint
        registered = supplier_system.post(
            "/api/v1/webhooks/",
            {"url": supplier_hook.url, "event_types": ["order.issued", "order.document_ready"]},
            format="json",
        )
        applicant_system.post(
            "/api/v1/webhooks/", {"url": applicant_hook.url, "event_types": ["order.responded"]}, format="json"
        )
        assert registered.status_code == 201, registered.content
        secret = registered.json()["secret"]

        # when HHS approves a request naming the supplier (the order is signed and its PDF made)
        with django_capture_on_commit_callbacks(execute=True):
            request_in_state(cast, RequestState.ISSUED)
        order = RatedOrder.objects.get()

        # then the supplier's system is told, with a signature it can verify
        events = [Webhook(secret).verify(hit.body, hit.headers) for hit in supplier_hook.received]
        assert [event["type"] for event in events] == ["order.issued", "order.document_ready"]
        assert {hit.headers["webhook-id"] for hit in supplier_hook.received} == set(
            supplier_system.get("/api/v1/events/").json()["results"][i]["id"] for i in (0, 1)
        )
        ready = events[1]["data"]
        assert (ready["order_number"], ready["version"]) == (order.order_number, 1)

        # and downloads the signed PDF with its token
        pdf = supplier_system.get(ready["document_url"])
        content = b"".join(pdf.streaming_content)
        assert (pdf.status_code, pdf["Content-Type"], content[:5]) == (200, "application/pdf", b"%PDF-")
        assert hashlib.sha256(content).hexdigest() == Document.objects.get(version__order=order).sha256

        # and accepts the order (If-Match: what it read)
        read = supplier_system.get(events[0]["data"]["url"])
        with django_capture_on_commit_callbacks(execute=True):
            accepted = supplier_system.post(
                f"/api/v1/orders/{order.order_number}/accept/", format="json", HTTP_IF_MATCH=read["ETag"]
            )
        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["status"] == OrderStatus.ACCEPTED

    # and the applicant sees it, by webhook and through the API
    seen = applicant_system.get(f"/api/v1/orders/{order.order_number}/").json()
    assert (seen["status"], [r["kind"] for r in seen["responses"]]) == ("accepted", ["accept"])
    assert seen["responses"][0]["printed_name"] == cast.supplier.printed_name
    told = [json.loads(hit.body) for hit in applicant_hook.received]
    assert [(e["type"], e["data"]["response"]) for e in told] == [("order.responded", "accept")]
