"""A small webhook receiver for the DPA Priority Rating Portal (Standard Webhooks).

Run it where the portal can reach it over https (behind your reverse proxy), register its
address under POST /api/v1/webhooks/ and keep the `secret` you get back (shown once):

    DPA_WEBHOOK_SECRET=whsec_... DPA_TOKEN=... DPA_BASE=https://dpa.example.gov python webhook_receiver.py

It verifies each delivery's signature (webhook-id, webhook-timestamp, webhook-signature:
HMAC-SHA256 with the secret, 5-minute tolerance), answers 204 at once, ignores an id it has
already handled (retries and replays reuse the id), and on `order.document_ready` downloads the
signed PDF with the API token. Needs only `pip install standardwebhooks`.
"""

from __future__ import annotations

import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = os.environ["DPA_WEBHOOK_SECRET"]
TOKEN = os.environ["DPA_TOKEN"]
BASE = os.environ.get("DPA_BASE", "https://dpa.example.gov")
seen: set[str] = set()  # use your database in production: ids must survive a restart


def download(path: str, filename: str) -> None:
    request = urllib.request.Request(BASE + path, headers={"Authorization": f"Token {TOKEN}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response, open(filename, "wb") as out:  # noqa: S310
        out.write(response.read())


def handle(event: dict) -> None:
    data = event["data"]
    if event["type"] == "order.issued":
        print(f"New rated order {data['order_number']} ({data['rating']}): read it at {data['url']}")
    elif event["type"] == "order.document_ready":
        download(data["document_url"], f"{data['order_number']}-v{data['version']}.pdf")


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            event = Webhook(SECRET).verify(body, dict(self.headers.items()))
        except WebhookVerificationError:
            self.send_response(400)  # not from the portal, or too old: do not act on it
            self.end_headers()
            return
        self.send_response(204)  # acknowledge first; the portal retries anything else
        self.end_headers()
        message_id = self.headers["webhook-id"]
        if message_id not in seen:
            seen.add(message_id)
            handle(event)


if __name__ == "__main__":
    print(json.dumps({"listening": 8080}))
    HTTPServer(("0.0.0.0", 8080), Receiver).serve_forever()  # noqa: S104
