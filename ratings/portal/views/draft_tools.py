"""Small actions around a draft: remove a file attached to it, and start a new request from an
earlier one. Each calls one service and comes back with a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from ratings.portal.access import actor, applicant_only, get_my_request
from ratings.portal.views.wizard import posted_version
from ratings.services.requests import attachments, drafts


@applicant_only
@require_POST
def request_attachment_remove(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    rr = get_my_request(request.user, pk)
    attachment = rr.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment on this request.")
    try:
        attachments.attachment_remove(
            attachment=attachment, actor=actor(request), expected_version=posted_version(request)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{attachment.original_name}” was removed from request {rr.reference}.")
    return redirect("portal:request-attachments", pk=rr.pk)


@applicant_only
@require_POST
def request_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_my_request(request.user, pk)
    try:
        rr = drafts.rating_request_copy(source=source, actor=actor(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("portal:request-detail", pk=source.pk)
    messages.success(
        request,
        f"Draft {rr.reference} starts from request {source.reference}: its details, items and suppliers. "
        "Check every step; required delivery dates that have passed must be changed before you submit.",
    )
    return redirect("portal:request-details", pk=rr.pk)
