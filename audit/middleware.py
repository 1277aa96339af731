from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import context
from audit.constants import Source
from dpa_portal.net import client_address


def request_id(request: HttpRequest) -> str:
    """The server makes the id; a client's X-Request-ID is kept only when it is a UUID."""
    offered = str(request.META.get("HTTP_X_REQUEST_ID", "")).strip()
    try:
        return str(uuid.UUID(offered))
    except ValueError:
        return uuid.uuid4().hex


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id(request)
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        with context.use(context.AuditContext(source=source, request_id=rid, client_address=client_address(request))):
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response
