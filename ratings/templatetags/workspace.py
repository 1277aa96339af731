"""Small filters of the HHS workspace pages."""

from __future__ import annotations

from django import template

from audit.actions import label

register = template.Library()


@register.filter(name="audit_label")
def audit_label(action: str) -> str:
    """The human label of a recorded audit action ("rating_request.submit" -> "Certified and submitted")."""
    return label(action)


@register.filter(name="get")
def get(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")
