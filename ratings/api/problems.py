"""Errors as RFC 9457 problem responses (application/problem+json). Never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dpa_portal.errors import ApplicationError, ConcurrentChange

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, *, code: str, field: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:dpa-portal:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if field:
        body["field"] = field
    body.update(extra)
    return Response(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConcurrentChange):
        # Over HTTP the version a client expects is its If-Match: a stale one is 412 (RFC 9110 §13.1.1).
        return problem(412, "Precondition failed", exc.message, code="precondition_failed")
    if isinstance(exc, ApplicationError):
        title = exc.code.replace("_", " ").capitalize()
        return problem(exc.status_code, title, exc.message, code=exc.code, field=exc.field)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it surface as a 500 and be logged
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            400, "Invalid input", "Some fields are missing or invalid.", code="invalid_input", errors=response.data
        )
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
    code = getattr(exc, "default_code", "error")
    result = problem(response.status_code, str(code).replace("_", " ").capitalize(), str(detail), code=str(code))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
