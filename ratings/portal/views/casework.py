"""The supplier's side of assistance cases and directives, on its order page: answering HHS's
questions, and acknowledging a directive. Each form calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from ratings.portal.access import actor, get_my_order, supplier_only
from ratings.portal.forms import placed as pf
from ratings.portal.views.placed import answer_case
from ratings.services.assistance import directives


@supplier_only
@require_POST
def order_case_answer(request: HttpRequest, order_number: str, reference: str) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    return answer_case(request, order, reference, "portal:order-detail")


@supplier_only
@require_POST
def order_directive_acknowledge(request: HttpRequest, order_number: str, number: str) -> HttpResponse:
    order = get_my_order(request.user, order_number)
    directive = order.directives.filter(number=number).first()
    if directive is None:
        raise Http404("No such directive.")
    form = pf.AcknowledgeDirectiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to acknowledge the directive.")
    else:
        try:
            directives.directive_acknowledge(directive=directive, actor=actor(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You acknowledged directive {directive.number}; HHS is told.")
    return redirect("portal:order-detail", order_number=order.order_number)
