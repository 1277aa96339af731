"""`{{ response.reason_code|reason_words }}`: a rejection reason as the customer reads it."""

from __future__ import annotations

from django import template

from ratings.portal.answers import reason_label

register = template.Library()


@register.filter
def reason_words(code: str) -> str:
    return reason_label(code) if code else ""
