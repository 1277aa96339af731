"""The auditor workspace: read-only pages (GET only; any other method gets 405).

Open to whoever the access policy admits (audit.access). Every export, bundle and download is
an audit event recorded before the first byte is sent. Pages about one kind of record (a rating
request's history and evidence bundle) are the owning app's views, wrapped in `auditor_view`
and mounted under the workspace's URL namespace by the project's urls.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from audit import checkpoints, exports, selectors, services, signing, vocabulary
from audit.access import may_audit, stored_user
from audit.constants import CONFIDENTIALITY_LEGEND, Outcome
from audit.models import ExportJob
from dpa_portal.errors import ApplicationError

View = Callable[..., HttpResponseBase]
EXPORTS_LISTED = 50


def auditor_view(view: View) -> View:
    @require_GET
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_audit(request.user):
            with transaction.atomic():
                services.record(
                    action="audit.workspace",
                    actor=request.user,
                    outcome=Outcome.DENIED,
                    reason="Only auditors and HHS staff allowed to view the audit trail may open the workspace.",
                    data={"path": request.path[:200]},
                )
            return HttpResponseForbidden("The audit workspace is for auditors.")
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return HttpResponse(error.message, status=error.status_code, content_type="text/plain; charset=utf-8")

    return wrapper


def _filters(request: HttpRequest) -> selectors.EventFilters:
    """The filters of the query string; an organization may be given by its name (a person types
    it), resolved to its number before parsing."""
    organization = request.GET.get("organization", "").strip()
    if not organization or organization.isdigit():
        return selectors.EventFilters.parse(request.GET)
    params = request.GET.copy()
    params["organization"] = str(vocabulary.organization_id(organization))
    return selectors.EventFilters.parse(params)


def _choices() -> dict[str, Any]:
    return {
        "actions": vocabulary.action_groups(),
        "object_types": vocabulary.object_types(),
        "outcomes": vocabulary.outcomes(),
    }


def _typed(request: HttpRequest) -> dict[str, str]:
    """What the person typed in the text filters, shown again as typed (also beside an error)."""
    return {name: request.GET.get(name, "").strip()[:200] for name in ("reference", "actor", "organization", "q")}


@auditor_view
def search(request: HttpRequest) -> HttpResponseBase:
    try:
        filters = _filters(request)
    except ApplicationError as error:
        context: dict[str, Any] = {"error": error.message, "error_field": error.field, "choices": _choices()}
        context.update(legend=CONFIDENTIALITY_LEGEND, typed=_typed(request))
        return render(request, "audit/search.html", context, status=400)
    before_raw = request.GET.get("before", "")
    before = int(before_raw) if before_raw.isdigit() else None
    page = selectors.page(filters, before=before, size=int(settings.AUDIT_SEARCH_PAGE_SIZE))
    query = request.GET.copy()
    query.pop("before", None)
    next_query = None
    if page.next_before is not None:
        query["before"] = str(page.next_before)
        next_query = query.urlencode()
        query.pop("before")
    return render(
        request,
        "audit/search.html",
        {
            "filters": filters,
            "typed": _typed(request),
            "page": page,
            "rows": [(event, None) for event in page.events],  # the history's rows carry signatures
            "next_query": next_query,
            "filter_query": query.urlencode(),
            "legend": CONFIDENTIALITY_LEGEND,
            "choices": _choices(),
            "people": vocabulary.people_in(page.events),
        },
    )


@auditor_view
def export(request: HttpRequest) -> HttpResponseBase:
    """Stream the filtered view, or queue it as a background job when it is too large to stream."""
    fmt = request.GET.get("format", "csv")
    filters = _filters(request)
    limit = exports.stream_limit()
    bounded = selectors.events(filters).order_by()[: limit + 1].count()  # stops counting at limit+1
    if bounded > limit:
        job = exports.start(actor=request.user, format=fmt, filters=filters, background=True)
        return redirect("audit:export-job", pk=job.pk)
    job = exports.start(actor=request.user, format=fmt, filters=filters)
    response = StreamingHttpResponse(exports.stream(job), content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="audit-export-{job.pk}.{fmt}"'
    response["X-Audit-Manifest"] = request.build_absolute_uri(f"/audit/exports/{job.pk}/manifest/")
    return response


@auditor_view
def export_job(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(ExportJob, pk=pk)
    return render(request, "audit/export_job.html", {"job": job, "legend": CONFIDENTIALITY_LEGEND})


@auditor_view
def export_list(request: HttpRequest) -> HttpResponseBase:
    jobs = ExportJob.objects.filter(requested_by=stored_user(request.user)).order_by("-pk")[:EXPORTS_LISTED]
    return render(request, "audit/exports.html", {"jobs": jobs, "legend": CONFIDENTIALITY_LEGEND})


@auditor_view
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(ExportJob, pk=pk, status=ExportJob.Status.DONE)
    handle = exports.open_stored(job, actor=request.user)
    if handle is None:
        raise Http404("This export was streamed, not stored.")
    response = FileResponse(handle, as_attachment=True, filename=Path(job.file).name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@auditor_view
def export_manifest(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(ExportJob, pk=pk)
    manifest = exports.manifest_download(job, actor=request.user)
    if manifest is None:
        raise Http404("The manifest is written when the export finishes.")
    response = JsonResponse(manifest, json_dumps_params={"indent": 2, "sort_keys": True})
    response["Content-Disposition"] = f'attachment; filename="{exports.manifest_name(job)}"'
    return response


@auditor_view
def public_key(request: HttpRequest) -> HttpResponseBase:
    latest = checkpoints.latest()
    body = signing.public_key_pem()
    if latest:
        body += f"\n# key id {signing.key_id()}\n# latest checkpoint: sequence {latest.sequence} hash {latest.hash}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
