"""Per-token throttling: each token has its own budget, so one runaway integration does not
starve its owner's other tokens or sessions (anonymous and bad-token calls are counted per
address in ratings.accounts.api_auth)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from dpa_portal.cache import counted
from ratings.models import ApiToken


class PerTokenThrottle(UserRateThrottle):
    scope = "user"

    def get_rate(self) -> str | None:
        # Read at each call (not frozen at import), so a changed setting takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        # Fails open while Redis cannot count: a call a person or integration makes is served.
        allowed = super().allow_request(request, view)
        return allowed if counted("api-user", fails="open") else True

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": "token", "ident": request.auth.pk}
        return super().get_cache_key(request, view)
