"""Wording helpers for the notices' sentences."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter(name="full_stop")
def full_stop(value: object) -> str:
    """`{{ name|full_stop }}` ends a sentence with the value: "Acme Inc." stays "Acme Inc.", never
    "Acme Inc.." (so many organizations' names end in a period)."""
    text = str(value)
    return text if text.endswith(".") else f"{text}."
