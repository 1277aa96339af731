"""Views shared by every audience: file downloads and the landing page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from audit import services as audit
from audit.constants import Outcome
from ratings import permissions, selectors
from ratings.models import Attachment


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_staff and permissions.is_hhs_staff(request.user):
        return redirect("admin:index")
    if request.user.is_authenticated:
        # Everyone else works in the portal; its home shows what needs their action first.
        return redirect("portal:dashboard")
    return render(request, "ratings/home.html")


@require_GET  # a read: other methods get 405 (auditor role matrix, tests/audit)
@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Stream a private attachment to someone allowed to see its request; audit both outcomes."""
    attachment = selectors.attachments_for(request.user).filter(pk=pk).first()
    if attachment is None:
        existing = Attachment.objects.select_related("request").filter(pk=pk).first()
        if existing is not None:
            with transaction.atomic():
                audit.record(
                    action="attachment.download",
                    actor=request.user,
                    target=existing,
                    outcome=Outcome.DENIED,
                    reference=existing.request.reference,
                    organization_id=existing.request.applicant_organization_id,
                    reason="Not visible to this user's organization and role.",
                )
        raise Http404("No such attachment.")
    with transaction.atomic():
        audit.record(
            action="attachment.download",
            actor=request.user,
            target=attachment,
            reference=attachment.request.reference,
            organization_id=attachment.request.applicant_organization_id,
            data={"sha256": attachment.sha256},
        )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
