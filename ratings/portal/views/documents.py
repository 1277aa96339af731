"""Permission-checked, audited downloads: rated-order documents and request attachments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from audit import services as audit
from audit.constants import Outcome
from ratings.models import Attachment, Document, RatedOrder
from ratings.selectors import orders as order_selectors
from ratings.selectors import requests as request_selectors


@login_required
def order_document_download(request: HttpRequest, order_number: str, version: int) -> HttpResponseBase:
    """Placing organization's applicants, the supplier's contacts, HHS staff and auditors only;
    every outcome audited; anyone else gets 404 (the order's existence is not disclosed)."""
    order = order_selectors.rated_orders_for(request.user).filter(order_number=order_number).first()
    if order is None:
        existing = RatedOrder.objects.filter(order_number=order_number).first()
        if existing is not None:
            with transaction.atomic():
                audit.record(
                    action="rated_order.document_download",
                    actor=request.user,
                    target=existing,
                    outcome=Outcome.DENIED,
                    reference=existing.order_number,
                    organization_id=existing.placing_organization_id,
                    reason="Not the placing organization, the supplier, HHS staff or an auditor.",
                    data={"version": version},
                )
        raise Http404("No such order.")
    document = Document.objects.filter(version__order=order, version__number=version).first()
    if document is None:
        raise Http404("This document does not exist or is not generated yet.")
    with transaction.atomic():
        audit.record(
            action="rated_order.document_download",
            actor=request.user,
            target=document,
            reference=order.order_number,
            organization_id=order.placing_organization_id,
            data={"version": version, "kind": document.kind, "sha256": document.sha256},
        )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{order.order_number}-v{version}-{document.kind}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET  # a read: other methods get 405 (auditor role matrix, tests/audit)
@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Stream a private attachment to someone allowed to see its request; audit both outcomes."""
    attachment = request_selectors.attachments_for(request.user).filter(pk=pk).first()
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
