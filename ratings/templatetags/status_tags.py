"""`{% status_tag request_or_order %}`: a status as a tag coloured by what it means to the reader.

Green: done in the reader's favour (approved, accepted, fulfilled); gold: the reader must act or
a problem is open (a question, a return, an offer); red: refused (denied, rejected, overdue); blue:
in progress with someone else; grey: closed without effect. Each colour keeps the text at 4.5:1
or more (static/portal/portal.css). The text wraps, so a long status never leaves its cell.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ratings.constants import OrderStatus, RequestState
from ratings.models import RatedOrder, RatingRequest

register = template.Library()

REQUEST_TONES = {
    RequestState.DRAFT: "neutral",
    RequestState.SUBMITTED: "info",
    RequestState.IN_REVIEW: "info",
    RequestState.RECOMMENDED: "info",
    RequestState.INFO_REQUESTED: "action",
    RequestState.RETURNED: "action",
    RequestState.APPROVED: "success",
    RequestState.ISSUED: "success",
    RequestState.DENIED: "error",
    RequestState.WITHDRAWN: "neutral",
}
# Words that fit a tag where the stored label is long.
REQUEST_WORDS = {RequestState.ISSUED: "Approved, orders sent"}
ORDER_TONES = {
    OrderStatus.ISSUED: "info",
    OrderStatus.AMENDED: "info",
    OrderStatus.ACCEPTED: "success",
    OrderStatus.FULFILLED: "success",
    OrderStatus.REJECTED: "error",
    OrderStatus.CANCELLED: "neutral",
}
ATTENTION_TONES = {
    "overdue": "error",
    "rejected": "error",
    "directive": "action",
    "offer": "action",
    "question": "action",
    "delay_confirmation": "action",
    "delay": "action",
}


def tag(text: str, tone: str) -> SafeString:
    return format_html('<span class="usa-tag dpa-tag dpa-tag--{}">{}</span>', tone, text)


@register.simple_tag
def status_tag(target: Any) -> SafeString:
    if isinstance(target, RatingRequest):
        state = RequestState(target.state)
        return tag(REQUEST_WORDS.get(state, state.label), REQUEST_TONES[state])
    if isinstance(target, RatedOrder):
        status = OrderStatus(target.status)
        return tag(status.label, ORDER_TONES[status])
    return tag(str(target), "neutral")


@register.simple_tag
def attention_tag(kind: str, label: str) -> SafeString:
    return tag(label, ATTENTION_TONES.get(kind, "action"))
