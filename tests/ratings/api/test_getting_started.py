"""The getting-started page, and the receiving example in docs/ really verifies our deliveries."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

from django.utils import timezone

from ratings.services.webhooks import delivery, endpoints

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "webhook_receiver.py"


def test_the_getting_started_page_shows_tokens_calls_and_verification(client, cast):
    client.force_login(cast.supplier)

    page = client.get("/portal/api/").content.decode()
    tokens = client.get("/accounts/tokens/").content.decode()

    assert "Authorization: Token" in page and "Idempotency-Key" in page and "webhook-signature" in page
    assert 'href="/portal/api/"' in tokens


def _example(monkeypatch, secret: str):
    monkeypatch.setenv("DPA_WEBHOOK_SECRET", secret)
    monkeypatch.setenv("DPA_TOKEN", "t")
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Handler:
    """Just enough of BaseHTTPRequestHandler to run the example's do_POST."""

    def __init__(self, receiver_class, body: bytes, headers: dict[str, str]):
        self.handler = receiver_class.__new__(receiver_class)
        self.handler.headers = {**headers, "Content-Length": str(len(body))}
        self.handler.rfile = io.BytesIO(body)
        self.codes: list[int] = []
        self.handler.send_response = self.codes.append
        self.handler.end_headers = lambda: None


def test_the_receiving_example_accepts_our_signature_and_refuses_a_forgery(cast, monkeypatch):
    endpoint, secret = endpoints.webhook_endpoint_create(
        actor=cast.supplier,
        organization=cast.supplier_org,
        values=endpoints.EndpointInput(url="https://erp.filtra.example/dpa", event_types=["order.issued"]),
    )
    example = _example(monkeypatch, secret)
    handled: list[dict] = []
    monkeypatch.setattr(example, "handle", handled.append)
    body = '{"type":"order.issued","timestamp":"2026-01-01T00:00:00Z","data":{"order_number":"X-1"}}'
    headers = delivery.signed_headers(endpoint, "msg_1", timezone.now(), body)

    genuine = _Handler(example.Receiver, body.encode(), headers)
    genuine.handler.do_POST()
    again = _Handler(example.Receiver, body.encode(), headers)
    again.handler.do_POST()
    forged = _Handler(example.Receiver, body.replace("X-1", "X-2").encode(), headers)
    forged.handler.do_POST()
    stale = _Handler(
        example.Receiver,
        body.encode(),
        delivery.signed_headers(endpoint, "msg_2", timezone.now() - dt.timedelta(hours=1), body),
    )
    stale.handler.do_POST()

    assert (genuine.codes, again.codes, forged.codes, stale.codes) == ([204], [204], [400], [400])
    assert [event["data"]["order_number"] for event in handled] == ["X-1"]  # the retry is not handled twice
