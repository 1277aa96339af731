"""The applicant asks HHS to reconsider a denial (one service)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from ratings.portal.access import actor, applicant_only, get_my_request
from ratings.services.requests import reconsideration


@applicant_only
@require_POST
def request_reconsider(request: HttpRequest, pk: int) -> HttpResponse:
    rr = get_my_request(request.user, pk)
    try:
        reconsideration.rating_request_reconsideration_ask(
            rating_request=rr, actor=actor(request), grounds=request.POST.get("grounds", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your request for reconsideration was sent to HHS.")
    return redirect("portal:request-detail", pk=rr.pk)
