"""Rating requests for manufacturers' systems: parse input, call one service, render the result."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import permissions, uploads
from ratings.api import request_serializers as s
from ratings.api import request_summaries as summaries
from ratings.api.base import ListQuery, ResourceAction, ResourceView, named_or_only, stored_file
from ratings.api.schema import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ERRORS,
    responses,
)
from ratings.constants import OrganizationKind, RequestState, Role
from ratings.models import Attachment, LineItemDelivery, Organization, RatingRequest, RequestLineItem
from ratings.selectors import requests as request_selectors
from ratings.services import items
from ratings.services.requests import attachments, corrections, drafts, workflow

TAG = ["Requests"]


def requests_for(user: Any) -> QuerySet[RatingRequest]:
    return request_selectors.rating_requests_for(user).prefetch_related(
        Prefetch(
            "line_items",
            RequestLineItem.objects.select_related("supplier").prefetch_related(
                Prefetch("deliveries", LineItemDelivery.objects.order_by("required_date"))
            ),
        ),
        Prefetch("attachments", Attachment.objects.select_related("request")),
        "information_requests",
    )


def _applicant_organization(user: Any, requested_id: int | None) -> Organization | None:
    """The manufacturer the draft is for: the one named, else the user's only applicant organization.

    None when there is none; the service then refuses (and audits the refusal).
    """
    org_ids = permissions.organization_ids(user, Role.APPLICANT)
    organizations = Organization.objects.filter(pk__in=org_ids, kind=OrganizationKind.MANUFACTURER)
    return named_or_only(
        organizations, requested_id, "You are an applicant for several organizations; name one in 'organization'."
    )


class RequestListQuery(ListQuery):
    state = serializers.ChoiceField(
        choices=RequestState.choices, required=False, help_text="Only requests in this state."
    )


class RequestView(ResourceView[RatingRequest]):
    """A view on one request the caller may see (another organization's is simply not found)."""

    def load(self, reference: str) -> RatingRequest:
        return get_object_or_404(requests_for(self.request.user), reference=reference)

    def data(self, rating_request: RatingRequest) -> Any:
        return s.RatingRequestSerializer(rating_request).data


class RatingRequestListCreate(RequestView):
    lists = True
    list_query = RequestListQuery

    @extend_schema(
        operation_id="requests_list",
        tags=TAG,
        summary="List rating requests",
        description="Requests your organizations made (HHS staff and auditors: every submitted request), "
        "oldest change first, cursor-paginated.",
        parameters=[RequestListQuery, IF_NONE_MATCH],
        responses=responses(s.RatingRequestSummarySerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        queryset = self.filtered(request_selectors.rating_requests_for(request.user), "state")
        # The cursor reads its position from the row: its ordering columns go with the values.
        return self.paged(queryset.values(*summaries.SUMMARY_VALUES, *self.cursor_ordering), summaries.summaries)

    @extend_schema(
        operation_id="requests_create",
        tags=TAG,
        summary="Create a draft request",
        description="A new draft for your manufacturer, with its line items (each an order to be rated).",
        parameters=[IDEMPOTENCY_KEY],
        request=s.RequestCreateSerializer,
        responses=responses(s.RatingRequestSerializer, *CREATE_ERRORS, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        serializer = self.parsed(s.RequestCreateSerializer)
        rating_request = drafts.rating_request_create(
            actor=self.actor,
            organization=_applicant_organization(request.user, serializer.validated_data.get("organization")),
            details=serializer.to_details(),
            line_items=serializer.to_line_items(),
        )
        response = self.fresh(rating_request.reference, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(reverse("api-request", args=[rating_request.reference]))
        return response


class RatingRequestDetail(RequestView):
    @extend_schema(
        operation_id="requests_retrieve",
        tags=TAG,
        summary="Read a request",
        description="Once approved: `approved_level` (may be lower than `requested_level`) and `approval_decision` "
        "(each item approved, reduced or not authorized, with its reason; orders only for what was approved).",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.RatingRequestSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, reference: str) -> Response:
        return self.fresh(reference)

    @extend_schema(
        operation_id="requests_update",
        tags=TAG,
        summary="Change a draft's details",
        description="Replace the details of a draft (or a request returned for correction).",
        parameters=[IF_MATCH],
        request=s.RequestDetailsSerializer,
        responses=responses(s.RatingRequestSerializer, *CHANGE_ERRORS),
    )
    def put(self, request: Request, reference: str) -> Response:
        rating_request = self.current(reference)
        serializer = self.parsed(s.RequestDetailsSerializer)
        drafts.rating_request_update(
            rating_request=rating_request,
            actor=self.actor,
            details=serializer.to_details(),
            expected_version=rating_request.version,
        )
        return self.fresh(reference)

    @extend_schema(
        operation_id="requests_discard",
        tags=TAG,
        summary="Discard a draft",
        description="A draft you no longer need is withdrawn (it stays in the record, audited). "
        "A submitted request is withdrawn with a reason: POST …/withdraw/.",
        parameters=[IF_MATCH],
        responses=responses(s.RatingRequestSerializer, *CHANGE_ERRORS),
    )
    def delete(self, request: Request, reference: str) -> Response:
        rating_request = self.current(reference)
        if rating_request.state != RequestState.DRAFT:
            raise InvalidState("Only a draft is discarded; withdraw a submitted request with a reason instead.")
        workflow.rating_request_withdraw(
            rating_request=rating_request,
            actor=self.actor,
            reason="Draft discarded by the applicant.",
            expected_version=rating_request.version,
        )
        return self.fresh(reference)


class RatingRequestLineItems(RequestView):
    @extend_schema(
        operation_id="requests_line_items_replace",
        tags=TAG,
        summary="Replace a draft's line items",
        description=f"A JSON array of at most {items.MAX_ITEMS_PER_REQUEST} items; all are checked before any is kept.",
        parameters=[IF_MATCH],
        request=s.LineItemInputSerializer(many=True),
        responses=responses(s.RatingRequestSerializer, *CHANGE_ERRORS),
    )
    def put(self, request: Request, reference: str) -> Response:
        rating_request = self.current(reference)
        if not isinstance(request.data, list):
            raise ValidationFailed("Send a JSON array of line items.")
        drafts.rating_request_set_line_items(
            rating_request=rating_request,
            actor=self.actor,
            line_items=s.line_item_inputs(request.data),
            expected_version=rating_request.version,
        )
        return self.fresh(reference)


UPLOAD = {"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}


class RatingRequestAttachments(RequestView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        operation_id="requests_attachments_add",
        tags=TAG,
        summary="Attach a file to a draft",
        description=f"{uploads.ACCEPTED_TYPES_TEXT}; the content is checked, not the name. "
        "If-Match is the request's ETag (the request changes).",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=UPLOAD,
        responses=responses(s.AttachmentSerializer, *CHANGE_ERRORS, ok_status=201),
    )
    def post(self, request: Request, reference: str) -> Response:
        rating_request = self.current(reference)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("Send the file in a multipart field named 'file'.", field="file")
        attachment = attachments.attachment_add(
            rating_request=rating_request, actor=self.actor, stream=upload.file, original_name=upload.name or ""
        )
        location = reverse("api-request-attachment", args=[reference, attachment.pk])
        return self.representation(s.AttachmentSerializer(attachment).data, status.HTTP_201_CREATED, location=location)


class RatingRequestAttachment(RequestView):
    @extend_schema(
        operation_id="requests_attachments_download",
        tags=TAG,
        summary="Download an attachment",
        description="The file as uploaded, with the content type its content showed (every download is audited).",
        responses={
            **{(200, media): OpenApiTypes.BINARY for media in uploads.ACCEPTED_CONTENT_TYPES},
            **responses(OpenApiTypes.BINARY, *DETAIL_ERRORS, media=uploads.ACCEPTED_CONTENT_TYPES[0]),
        },
    )
    def get(self, request: Request, reference: str, pk: int) -> FileResponse:
        get_object_or_404(self.load(reference).attachments.all(), pk=pk)
        attachment = attachments.attachment_download(attachment_id=pk, actor=self.actor)
        return stored_file(
            attachment.file.open("rb"),
            filename=attachment.original_name,
            content_type=attachment.content_type,
            sha256=attachment.sha256,
        )

    @extend_schema(
        operation_id="requests_attachments_remove",
        tags=TAG,
        summary="Remove an attachment from a draft",
        description="If-Match is the request's ETag. Files sent with an answer to HHS stay.",
        parameters=[IF_MATCH],
        responses=responses(s.RatingRequestSerializer, *CHANGE_ERRORS),
    )
    def delete(self, request: Request, reference: str, pk: int) -> Response:
        rating_request = self.current(reference)
        attachment = get_object_or_404(rating_request.attachments.all(), pk=pk)
        attachments.attachment_remove(attachment=attachment, actor=self.actor, expected_version=rating_request.version)
        return self.fresh(reference)


class RequestAction(RequestView, ResourceAction[RatingRequest]):
    """POST one workflow action on a request: parse the body, call one service, return the request."""

    input_serializer: type[serializers.Serializer]


def action_schema(name: str, summary: str, description: str, body: Any) -> Any:
    return extend_schema(
        operation_id=f"requests_{name}",
        tags=TAG,
        summary=summary,
        description=description,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=body,
        responses=responses(s.RatingRequestSerializer, *CHANGE_ERRORS),
    )


class RatingRequestSubmit(RequestAction):
    input_serializer = s.SubmitSerializer

    @action_schema(
        "submit",
        "Certify and submit",
        "Certify and submit a complete draft, or resubmit a request HHS returned for correction (with an "
        "optional `note` on what you corrected): `typed_name` is your full name as signature; the 18 U.S.C. "
        "1001 warning applies.",
        s.SubmitSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, rating_request: RatingRequest, data: dict[str, Any]) -> None:
        attestation = workflow.Attestation(data["typed_name"], data["certify"])
        if rating_request.state == RequestState.RETURNED:
            corrections.rating_request_resubmit(
                rating_request=rating_request,
                actor=self.actor,
                attestation=attestation,
                note=data.get("note", ""),
                expected_version=rating_request.version,
            )
            return
        workflow.rating_request_submit(
            rating_request=rating_request,
            actor=self.actor,
            attestation=attestation,
            expected_version=rating_request.version,
        )


class RatingRequestRespond(RequestAction):
    input_serializer = s.ResponseUploadSerializer
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]

    @extend_schema(
        operation_id="requests_respond",
        tags=TAG,
        summary="Answer HHS's question",
        description="The answer, as JSON or multipart with `files` that go with it; the request goes back "
        "to review. The files are attached to the open question first, one by one: if one is refused, the "
        "answer is not sent (files already attached stay with the question).",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request={"application/json": s.ResponseSerializer, "multipart/form-data": s.ResponseUploadSerializer},
        responses=responses(s.RatingRequestSerializer, *CHANGE_ERRORS),
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, rating_request: RatingRequest, data: dict[str, Any]) -> None:
        question = rating_request.information_requests.filter(responded_at__isnull=True).order_by("-asked_at").first()
        for upload in data.get("files", []):
            attachments.attachment_add(
                rating_request=rating_request,
                actor=self.actor,
                stream=upload.file,
                original_name=upload.name or "",
                information_request=question,
            )
        latest = RatingRequest.objects.only("version").get(pk=rating_request.pk).version
        workflow.rating_request_respond(
            rating_request=rating_request, actor=self.actor, response=data["response"], expected_version=latest
        )


class RatingRequestWithdraw(RequestAction):
    input_serializer = s.ReasonSerializer

    @action_schema(
        "withdraw",
        "Withdraw a request",
        "Withdraw the request before a decision; a reason is required.",
        s.ReasonSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, rating_request: RatingRequest, data: dict[str, Any]) -> None:
        workflow.rating_request_withdraw(
            rating_request=rating_request,
            actor=self.actor,
            reason=data["reason"],
            expected_version=rating_request.version,
        )
