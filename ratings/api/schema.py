"""OpenAPI pieces every operation shares: the RFC 9457 problem body and the error responses
each kind of operation can give, so the schema documents every status the API returns."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

PROBLEM = "application/problem+json"


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="urn:dpa-portal:problem:<code>, e.g. …:validation_failed.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    field = serializers.CharField(required=False, help_text="The input at fault, e.g. line_items[1].quantity.")
    errors = serializers.DictField(  # type: ignore[assignment]  # the problem member, not Serializer.errors
        required=False, help_text="Field errors, by field name."
    )


WHY = {
    304: "Not modified: the ETag sent in If-None-Match is current.",
    400: "Invalid input (field errors in `errors` or `field`).",
    401: "No valid credentials: send `Authorization: Token <token>`.",
    403: "Not allowed for your role, organization or token scope (refusals are audited).",
    404: "Not found, or not visible to you.",
    409: "The resource is not in a state that allows this, or the same Idempotency-Key is still running.",
    412: "If-Match names an older representation: read again and retry.",
    415: "Unsupported media type.",
    422: "The Idempotency-Key was used with another request body.",
    428: "If-Match is required on changes.",
    429: "Too many requests; wait for Retry-After seconds.",
}
READ_ERRORS = (400, 401, 403, 429)
DETAIL_ERRORS = (*READ_ERRORS, 404)
CREATE_ERRORS = (400, 401, 403, 409, 415, 422, 429)
CHANGE_ERRORS = (400, 401, 403, 404, 409, 412, 415, 422, 428, 429)


def problems(*codes: int) -> dict[Any, Any]:
    return {(code, PROBLEM): OpenApiResponse(ProblemSerializer, description=WHY[code]) for code in codes if code != 304}


def responses(ok: Any, *codes: int, ok_status: int = 200, media: str = "application/json") -> dict[Any, Any]:
    result: dict[Any, Any] = {(ok_status, media): ok}
    if 304 in codes:
        result[304] = OpenApiResponse(description=WHY[304])
    result.update(problems(*codes))
    return result


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the representation you last read, e.g. "3f2a…" (or * to skip the check).',
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, description="An ETag you hold: 304 when it is still current."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a retry with the same key and body returns the first response "
    "and creates nothing; kept 24 hours.",
)
REFERENCE_EXAMPLE = OpenApiExample("reference", value="DPA-2026-00042")
