"""Permission-checked, audited downloads: rated-order documents and request attachments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from dpa_portal.errors import NotFound
from ratings.portal.access import actor
from ratings.services.orders import documents as order_documents
from ratings.services.requests import attachments as request_attachments


@require_GET  # a read: other methods get 405 (auditor role matrix)
@login_required
def order_document_download(request: HttpRequest, order_number: str, version: int) -> HttpResponseBase:
    try:
        order, document = order_documents.order_document_download(
            order_number=order_number, version=version, actor=actor(request)
        )
    except NotFound as error:
        raise Http404(error.message) from None
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{order.order_number}-v{version}-{document.kind}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        attachment = request_attachments.attachment_download(attachment_id=pk, actor=actor(request))
    except NotFound as error:
        raise Http404(error.message) from None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
