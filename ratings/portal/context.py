"""What the page header shows on every page: the signed-in user's unread notices."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from django.db import connection
from django.http import HttpRequest

from dpa_portal.prepared import statement_cursor
from ratings.models import Notification


@cache
def _unread_sql() -> str:
    meta, quote = Notification._meta, connection.ops.quote_name
    fields: list[Any] = [meta.get_field("recipient"), meta.get_field("read_at")]
    recipient, read_at = (quote(field.column) for field in fields)
    return f"SELECT count(*) FROM {quote(meta.db_table)} WHERE {recipient} = %s AND {read_at} IS NULL"  # noqa: S608


def _unread(user_id: int) -> int:
    """`Notification.objects.filter(recipient_id=..., read_at__isnull=True).count()` as one fixed
    statement, prepared on the server: every page's header runs it."""
    with statement_cursor(connection) as cursor:
        cursor.execute(_unread_sql(), [user_id])
        return int(cursor.fetchone()[0])


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """`unread_notices`: counted only when a template shows it (templates call callables)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": partial(_unread, user.pk)}
