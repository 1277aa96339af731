"""A rating request in the auditor workspace: its history page and its evidence bundle. Served
under the workspace's URLs (/audit/requests/...), with its access rule and auditing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from audit import vocabulary
from audit.views import auditor_view
from ratings.constants import CONFIDENTIALITY_LEGEND
from ratings.models import RatingRequest
from ratings.portal.access import actor
from ratings.selectors import requests as request_selectors
from ratings.services.requests import evidence


@auditor_view
def request_history(request: HttpRequest, reference: str) -> HttpResponseBase:
    history = request_selectors.request_history(reference)
    if history is None:
        raise Http404("No request or order with this reference.")
    return render(
        request,
        "audit/history.html",
        {
            "reference": reference,
            "rating_request": history.rating_request,
            "rows": history.rows,
            "signatures": history.signatures,
            "holds": history.holds,
            "people": vocabulary.people_in(event for event, _ in history.rows),
            "legend": CONFIDENTIALITY_LEGEND,
        },
    )


@auditor_view
def request_bundle(request: HttpRequest, reference: str) -> HttpResponseBase:
    if not RatingRequest.objects.filter(reference=reference).exists():
        raise Http404("No request with this reference.")
    handle = tempfile.NamedTemporaryFile(suffix=".zip")  # noqa: SIM115 - closed by FileResponse
    evidence.rating_request_bundle(reference=reference, out=Path(handle.name), actor=actor(request))
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"evidence-{reference}.zip")
