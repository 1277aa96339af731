"""REST API for manufacturers' systems: parse input, call one service, render the result."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dpa_portal.errors import ValidationFailed
from ratings import permissions
from ratings.api import serializers as s
from ratings.constants import OrganizationKind, Role
from ratings.models import LineItemDelivery, Organization, Program, RatingRequest, RequestLineItem, User
from ratings.selectors import requests as request_selectors
from ratings.services import items
from ratings.services.requests import attachments, drafts, workflow


def _requests(user: Any) -> QuerySet[RatingRequest]:
    return request_selectors.rating_requests_for(user).prefetch_related(
        Prefetch(
            "line_items",
            RequestLineItem.objects.select_related("supplier").prefetch_related(
                Prefetch("deliveries", LineItemDelivery.objects.order_by("required_date"))
            ),
        ),
        "attachments",
        "information_requests",
    )


def _actor(request: Request) -> User:
    # IsAuthenticated (the default permission class) guarantees a real user here.
    return cast(User, request.user)


def _get(request: Request, reference: str) -> RatingRequest:
    # Another organization's request is simply not found: its existence is not disclosed.
    return get_object_or_404(_requests(request.user), reference=reference)


def _detail(rating_request: RatingRequest, request: Request, code: int = status.HTTP_200_OK) -> Response:
    fresh = _get(request, rating_request.reference)
    response = Response(s.RatingRequestSerializer(fresh).data, status=code)
    response["ETag"] = f'"{fresh.version}"'
    return response


def _applicant_organization(user: Any, requested_id: int | None) -> Organization | None:
    """The manufacturer the draft is for: the one named, else the user's only applicant organization.

    None when there is none; the service then refuses (and audits the refusal).
    """
    org_ids = permissions.organization_ids(user, Role.APPLICANT)
    organizations = Organization.objects.filter(pk__in=org_ids, kind=OrganizationKind.MANUFACTURER)
    if requested_id is not None:
        return organizations.filter(pk=requested_id).first()
    candidates = list(organizations[:2])
    if len(candidates) > 1:
        raise ValidationFailed(
            "You are an applicant for several organizations; name one in 'organization'.", field="organization"
        )
    return candidates[0] if candidates else None


class RatingRequestListCreate(generics.GenericAPIView):
    serializer_class = s.RatingRequestSummarySerializer

    def get_queryset(self) -> QuerySet[RatingRequest]:
        return request_selectors.rating_requests_for(self.request.user).order_by("-created_at")

    @extend_schema(
        parameters=[OpenApiParameter("state", str, description="Filter by state, e.g. draft, submitted.")],
        responses=s.RatingRequestSummarySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = self.get_queryset()
        if request.query_params.get("state"):
            queryset = queryset.filter(state=request.query_params["state"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.RequestCreateSerializer, responses={201: s.RatingRequestSerializer})
    def post(self, request: Request) -> Response:
        serializer = s.RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating_request = drafts.rating_request_create(
            actor=_actor(request),
            organization=_applicant_organization(request.user, serializer.validated_data.get("organization")),
            details=serializer.to_details(),
            line_items=serializer.to_line_items(),
        )
        return _detail(rating_request, request, status.HTTP_201_CREATED)


def _expected_version(request: Request, body_value: int | None) -> int | None:
    """If-Match: "<version>" (or expected_version in the body) guards against lost updates."""
    header = request.headers.get("If-Match", "").strip().strip('"')
    if header:
        try:
            return int(header)
        except ValueError:
            raise ValidationFailed('If-Match must be the request\'s version in quotes, e.g. "3".') from None
    return body_value


class RatingRequestDetail(APIView):
    @extend_schema(responses=s.RatingRequestSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return _detail(_get(request, reference), request)

    @extend_schema(request=s.RequestDetailsSerializer, responses=s.RatingRequestSerializer)
    def put(self, request: Request, reference: str) -> Response:
        rating_request = _get(request, reference)
        serializer = s.RequestDetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drafts.rating_request_update(
            rating_request=rating_request,
            actor=_actor(request),
            details=serializer.to_details(),
            expected_version=_expected_version(request, None),
        )
        return _detail(rating_request, request)


class RatingRequestLineItems(APIView):
    @extend_schema(
        request=s.LineItemInputSerializer(many=True),
        responses=s.RatingRequestSerializer,
        description=f"Replace the draft's line items: a JSON array of at most {items.MAX_ITEMS_PER_REQUEST} items.",
    )
    def put(self, request: Request, reference: str) -> Response:
        rating_request = _get(request, reference)
        if not isinstance(request.data, list):
            raise ValidationFailed("Send a JSON array of line items.")
        drafts.rating_request_set_line_items(
            rating_request=rating_request,
            actor=_actor(request),
            line_items=s.line_item_inputs(request.data),
            expected_version=_expected_version(request, None),
        )
        return _detail(rating_request, request)


class RatingRequestAttachments(APIView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={201: s.AttachmentSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        rating_request = _get(request, reference)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("Send the file in a multipart field named 'file'.", field="file")
        attachment = attachments.attachment_add(
            rating_request=rating_request,
            actor=_actor(request),
            stream=upload.file,
            original_name=upload.name or "",
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class _RequestAction(APIView):
    """POST one workflow action on a request: parse the body, call one service, return the request."""

    input_serializer: type[serializers.Serializer]

    def perform(self, rating_request: RatingRequest, actor: User, data: dict[str, Any], expected: int | None) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        rating_request = _get(request, reference)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.perform(rating_request, _actor(request), data, _expected_version(request, data.get("expected_version")))
        return _detail(rating_request, request)


@extend_schema_view(post=extend_schema(request=s.SubmitSerializer, responses=s.RatingRequestSerializer))
class RatingRequestSubmit(_RequestAction):
    """Certify and submit a complete draft: `typed_name` is your full name as signature; the 18 U.S.C. 1001 warning applies."""

    input_serializer = s.SubmitSerializer

    def perform(self, rating_request: RatingRequest, actor: User, data: dict[str, Any], expected: int | None) -> None:
        attestation = workflow.Attestation(data["typed_name"], data["certify"])
        workflow.rating_request_submit(
            rating_request=rating_request, actor=actor, attestation=attestation, expected_version=expected
        )


@extend_schema_view(post=extend_schema(request=s.ResponseSerializer, responses=s.RatingRequestSerializer))
class RatingRequestRespond(_RequestAction):
    """Answer HHS's open question; the request goes back to review."""

    input_serializer = s.ResponseSerializer

    def perform(self, rating_request: RatingRequest, actor: User, data: dict[str, Any], expected: int | None) -> None:
        workflow.rating_request_respond(
            rating_request=rating_request, actor=actor, response=data["response"], expected_version=expected
        )


@extend_schema_view(post=extend_schema(request=s.ReasonSerializer, responses=s.RatingRequestSerializer))
class RatingRequestWithdraw(_RequestAction):
    """Withdraw the request before a decision; a reason is required."""

    input_serializer = s.ReasonSerializer

    def perform(self, rating_request: RatingRequest, actor: User, data: dict[str, Any], expected: int | None) -> None:
        workflow.rating_request_withdraw(
            rating_request=rating_request, actor=actor, reason=data["reason"], expected_version=expected
        )


class ProgramList(generics.ListAPIView):
    serializer_class = s.ProgramSerializer
    queryset = Program.objects.filter(is_active=True).order_by("symbol")


class SupplierList(generics.ListAPIView):
    """Registered supplier organizations, to name on line items."""

    serializer_class = s.SupplierSerializer
    queryset = Organization.objects.filter(kind=OrganizationKind.SUPPLIER, is_active=True).order_by("legal_name")
