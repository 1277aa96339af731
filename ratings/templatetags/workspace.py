"""Small filters of the HHS workspace pages."""

from __future__ import annotations

from django import template
from django.conf import settings

from audit.access import may_audit
from audit.actions import label

register = template.Library()


@register.filter(name="audit_label")
def audit_label(action: str) -> str:
    """The human label of a recorded audit action ("rating_request.submit" -> "Certified and submitted")."""
    return label(action)


@register.filter(name="get")
def get(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")


@register.filter(name="in_app")
def in_app(link: str) -> str:
    """A notice's absolute link (for e-mail) as a path on this site, for the in-app list."""
    if link.startswith(settings.SITE_URL):
        return link[len(settings.SITE_URL) :] or "/"
    return link


@register.filter(name="audits")
def audits(user: object) -> bool:
    """Whether the user may open the audit workspace (the same rule as the workspace's own)."""
    return may_audit(user)  # type: ignore[arg-type]
