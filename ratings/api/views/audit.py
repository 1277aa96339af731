"""Auditors' API: search the trail, export it with a signed manifest, take a request's evidence
bundle. Read-only for the trail; every export and every download (file, manifest, bundle) is an
audit event recorded before the first byte goes out, and a refused caller's attempt is recorded too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from audit import exports
from audit import selectors as audit_selectors
from audit import services as audit_services
from audit.access import may_audit
from audit.actions import WORKSPACE
from audit.constants import Outcome
from audit.models import AuditEvent, ExportJob
from ratings.api.base import ApiView, PageQuery, stored_file
from ratings.api.schema import CREATE_ERRORS, DETAIL_ERRORS, IDEMPOTENCY_KEY, IF_NONE_MATCH, READ_ERRORS, problems
from ratings.api.schema import responses as documented
from ratings.services.requests import evidence

TAG = ["Audit"]


class Audits(drf_permissions.BasePermission):
    message = "Only auditors and HHS staff allowed to view the audit trail may use it."

    def has_permission(self, request: Request, view: object) -> bool:
        if may_audit(request.user):
            return True
        if request.user.is_authenticated:  # a signed-in caller's attempt is evidence too (AU-2)
            with transaction.atomic():
                audit_services.record(
                    action=WORKSPACE,
                    actor=request.user,
                    outcome=Outcome.DENIED,
                    reason=self.message,
                    data={"path": request.path[:200]},
                )
        return False


class AuditView(ApiView):
    permission_classes = [*ApiView.permission_classes, Audits]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "sequence",
            "occurred_at",
            "action",
            "outcome",
            "actor_label",
            "reference",
            "object_type",
            "object_id",
            "from_state",
            "to_state",
            "reason",
            "hash",
        ]


class AuditFilters(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    actor = serializers.CharField(
        required=False, max_length=150, help_text='User id, part of a name, or "system" for the system\'s own work.'
    )
    organization = serializers.IntegerField(required=False, min_value=1)
    reference = serializers.CharField(
        required=False,
        max_length=40,
        help_text="A request, order or case reference: its events and those of everything under it (a request's "
        "orders, their versions, answers, amendments, cancellations, flow-down orders, cases and notices).",
    )
    action = serializers.CharField(required=False, max_length=80, help_text='An action, or a prefix ending in ".".')
    object_type = serializers.CharField(
        required=False, max_length=80, help_text='Kind of record, e.g. "ratings.RatedOrder".'
    )
    outcome = serializers.ChoiceField(required=False, choices=Outcome.choices)
    q = serializers.CharField(required=False, max_length=200, help_text="Text in the reasons.")


class AuditQuery(PageQuery, AuditFilters):
    pass


def _filters(values: dict[str, Any]) -> audit_selectors.EventFilters:
    names = set(AuditFilters().fields)
    return audit_selectors.EventFilters.parse({k: v for k, v in values.items() if k in names})


class AuditEventList(AuditView):
    list_query = AuditQuery
    lists = True
    cursor_ordering = ("-sequence",)

    @extend_schema(
        operation_id="audit_events_list",
        tags=TAG,
        summary="Search the audit trail",
        description="Newest first. Export what a search finds, with a signed manifest, at /api/v1/audit/exports/.",
        parameters=[AuditQuery, IF_NONE_MATCH],
        responses=documented(AuditEventSerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        return self.paged(audit_selectors.events(_filters(self.query())), AuditEventSerializer)


# --- exports -----------------------------------------------------------------------------------


class ExportCreateSerializer(AuditFilters):
    format = serializers.ChoiceField(choices=sorted(exports.FORMATS), default="csv")


class ExportSerializer(serializers.ModelSerializer):
    event_count = serializers.IntegerField(source="processed", help_text="Events written so far.")
    sha256 = serializers.SerializerMethodField(help_text="SHA-256 of the export file, once finished.")
    download_url = serializers.SerializerMethodField(help_text="The export file (a stored export only).")
    manifest_url = serializers.SerializerMethodField(help_text="The signed manifest, once finished.")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "format",
            "status",
            "filters",
            "up_to_sequence",
            "event_count",
            "sha256",
            "created_at",
            "finished_at",
            "error",
            "download_url",
            "manifest_url",
        ]

    def get_sha256(self, job: ExportJob) -> str | None:
        return str(job.manifest["sha256"]) if job.manifest.get("sha256") else None

    def _url(self, name: str, job: ExportJob) -> str:
        request = self.context.get("request")
        path = reverse(name, args=[job.pk])
        return request.build_absolute_uri(path) if request is not None else path

    def get_download_url(self, job: ExportJob) -> str | None:
        return self._url("api-audit-export-file", job) if job.file and job.status == ExportJob.Status.DONE else None

    def get_manifest_url(self, job: ExportJob) -> str | None:
        return self._url("api-audit-export-manifest", job) if job.manifest else None


def _own_exports(request: Request) -> Any:
    return ExportJob.objects.filter(requested_by_id=request.user.pk)


class ExportList(AuditView):
    list_query = PageQuery
    lists = True
    cursor_ordering = ("-id",)

    @extend_schema(
        operation_id="audit_exports_list",
        tags=TAG,
        summary="List your exports of the audit trail",
        description="Newest first, each with its status and, once finished, its file and signed manifest.",
        parameters=[PageQuery, IF_NONE_MATCH],
        responses=documented(ExportSerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        return self.paged(_own_exports(request), ExportSerializer)

    @extend_schema(
        operation_id="audit_exports_create",
        tags=TAG,
        summary="Export the audit trail",
        description="The events the filters select (as in the search) up to the chain's head now, as CSV or JSON "
        "Lines, built in the background into a stored file with a manifest signed by the audit key (Ed25519; the "
        "public key is at /audit/public-key/). Poll the export until `status` is `done`. Audited.",
        parameters=[IDEMPOTENCY_KEY],
        request=ExportCreateSerializer,
        responses=documented(ExportSerializer, *CREATE_ERRORS, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        data = dict(self.parsed(ExportCreateSerializer).validated_data)
        job = exports.start(actor=self.actor, format=data.pop("format"), filters=_filters(data), background=True)
        job.refresh_from_db()  # an eager worker has finished it already
        body = ExportSerializer(job, context={"request": request}).data
        return self.representation(body, status.HTTP_201_CREATED, location=reverse("api-audit-export", args=[job.pk]))


class ExportDetail(AuditView):
    @extend_schema(
        operation_id="audit_exports_retrieve",
        tags=TAG,
        summary="One of your exports",
        description="Its status, progress and, once finished, the links to its file and signed manifest.",
        parameters=[IF_NONE_MATCH],
        responses=documented(ExportSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(_own_exports(request), pk=pk)
        return self.representation(ExportSerializer(job, context={"request": request}).data)


class ExportFile(AuditView):
    @extend_schema(
        operation_id="audit_exports_file",
        tags=TAG,
        summary="Download an export's file",
        description="The CSV or JSON Lines file; its SHA-256 is in the signed manifest. 404 until finished. Audited.",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="A CSV export."),
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="A JSON Lines export."),
            **problems(*DETAIL_ERRORS),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = get_object_or_404(_own_exports(request), pk=pk)
        handle = exports.open_stored(job, actor=self.actor)
        if handle is None:
            raise Http404("This export is not finished, or was streamed in the workspace and not stored.")
        return stored_file(handle, filename=Path(job.file).name, content_type=exports.FORMATS[job.format].split(";")[0])


class ExportManifest(AuditView):
    @extend_schema(
        operation_id="audit_exports_manifest",
        tags=TAG,
        summary="Download an export's signed manifest",
        description="Filters, event count, first and last sequence and hash, the file's SHA-256 and the latest "
        "signed checkpoint, signed with the audit key (`signature`, `public_key_id`). 404 until finished. Audited.",
        responses=documented(OpenApiTypes.OBJECT, *DETAIL_ERRORS),
    )
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(_own_exports(request), pk=pk)
        manifest = exports.manifest_download(job, actor=self.actor)
        if manifest is None:
            raise Http404("The manifest is written when the export finishes.")
        response = Response(manifest)
        response["Content-Disposition"] = f'attachment; filename="{exports.manifest_name(job)}"'
        return response


# --- evidence bundles --------------------------------------------------------------------------


class RequestBundle(AuditView):
    @extend_schema(
        operation_id="audit_bundles_retrieve",
        tags=TAG,
        summary="Download a request's evidence bundle",
        description="A ZIP with the request's data, every attachment and signed order document, every audit event "
        "of the request and everything under it, the chain segment to a checkpoint signed for the bundle, a signed "
        "manifest and `verify.py` (run it in the unpacked folder). Audited.",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The evidence bundle."),
            **problems(*DETAIL_ERRORS),
        },
    )
    def get(self, request: Request, reference: str) -> FileResponse:
        handle = tempfile.NamedTemporaryFile(suffix=".zip")  # noqa: SIM115 - closed by FileResponse
        evidence.rating_request_bundle(reference=reference, out=Path(handle.name), actor=self.actor)
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=f"evidence-{reference}.zip", content_type="application/zip"
        )
