from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import context
from audit.constants import Source


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the connecting peer; behind a proxy the deployment sets it (gunicorn
    # --forwarded-allow-ips) rather than trusting a client-supplied header here.
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = str(request.META.get("HTTP_X_REQUEST_ID", ""))[:64] or uuid.uuid4().hex
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        with context.use(
            context.AuditContext(source=source, request_id=request_id, client_address=client_address(request))
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
