"""Template context: the idle limit, so pages can warn before the session expires."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ratings.accounts.middleware import idle_limit


def session_limits(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"session_idle_seconds": idle_limit(user), "session_warning_seconds": settings.SESSION_WARNING_SECONDS}
