"""A notice's text: rendered when it is written, or, for notices written in bulk by batch jobs,
when it is delivered or shown.

A batch job writes its notices in SQL with their subject and link but no body (rendering a
template per notice was nearly all of a sweep's time); `bodies` renders the body from the
notice's kind (its template), object and stored context, with the same values `outbox.notify`
gives a template, so the text is what it would have been if rendered when written. The outbox
keeps what it mailed on the row, so a sent notice's body is the text that went out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from ratings.constants import NotificationKind
from ratings.models import Notification, RatedOrderVersion


def _order_version(notice: Notification) -> dict[str, Any]:
    version = RatedOrderVersion.objects.select_related("order", "order__supplier").get(pk=int(notice.object_id))
    return {"order": version.order, "version": version}


# kind -> (template under templates/notifications/, what the template reads from the notice's object)
DEFERRED: dict[str, tuple[str, Callable[[Notification], dict[str, Any]]]] = {
    NotificationKind.RESPONSE_REMINDER: ("order_reminder", _order_version),
    NotificationKind.RESPONSE_OVERDUE: ("order_overdue", _order_version),
}


def deferred(notice: Notification) -> bool:
    """Written without a body, to be rendered at delivery (a rendered body is never blank)."""
    return not notice.body_text and notice.kind in DEFERRED


def bodies(notice: Notification) -> tuple[str, str]:
    """The notice's plain-text and HTML bodies."""
    if not deferred(notice):
        return notice.body_text, notice.body_html
    template, values = DEFERRED[notice.kind]
    context = {
        **values(notice),
        **notice.context,
        "recipient": notice.recipient,
        "subject": notice.subject,
        "link": notice.link,
        "site_url": settings.SITE_URL,
    }
    return (
        render_to_string(f"notifications/{template}.txt", context),
        render_to_string(f"notifications/{template}.html", context),
    )
