"""API authentication: hashed personal tokens (django-rest-knox) with scopes, and the session
only when it passed the second factor where one is required. Failed token attempts are
throttled per client address, so guessing tokens is not free."""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from audit import context
from dpa_portal.cache import counted
from dpa_portal.net import client_address
from dpa_portal.prepared import Prepared, together
from ratings import roles, second_factor
from ratings.constants import TokenScope
from ratings.models import ApiToken
from ratings.services.accounts import tokens

# knox's own query (a token's key prefix, with its user), compiled once; sent with the active
# memberships of the users holding that prefix, which every call's access checks read next.
_TOKENS: Prepared[ApiToken] = Prepared(lambda key: ApiToken.objects.filter(token_key=key).select_related("user"))
_TOKEN_MEMBERSHIPS: Prepared[Any] = Prepared(
    lambda key: roles.memberships_where(user_id__in=ApiToken.objects.filter(token_key=key).values("user_id"))
)


def _rate(text: str) -> tuple[int, int]:
    return SimpleRateThrottle.parse_rate(None, text)  # type: ignore[arg-type,return-value]


def _count(key: str, rate: str) -> None:
    """Count one call against `rate` per period; over the limit, refuse with 429 and Retry-After.
    While Redis cannot count, calls pass (tokens are too long to guess; the caller still gets 401)."""
    limit, period = _rate(rate)
    cache.add(key, 0, period)
    try:
        calls = cache.incr(key)
    except ValueError:  # expired between add and incr, or not counted
        cache.set(key, 1, period)
        calls = 1
    if counted(key.split(":", 1)[0], fails="open") and calls > limit:
        raise exceptions.Throttled(wait=period)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`. The token's id goes on every audit event of the call."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if not get_authorization_header(request):
            return None
        address = client_address(request)
        key = f"api-bad-token:{address}"
        limit, period = _rate(settings.API_THROTTLE_BAD_TOKEN)
        if (cache.get(key) or 0) >= limit:
            raise exceptions.Throttled(wait=period)
        try:
            result = super().authenticate(request)
        except exceptions.AuthenticationFailed:
            _count(key, settings.API_THROTTLE_BAD_TOKEN)
            raise
        if result is None:
            return None
        user, token = result
        context.bind(credential=f"api_token:{token.pk}")
        tokens.api_token_used(token=token, address=address)
        return user, token

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """knox's, with the token (and its user) read by a query compiled once per process: every
        call of an integration reads it."""
        message = "Invalid token."
        text = token.decode("utf-8")
        key = text[: CONSTANTS.TOKEN_KEY_LENGTH]
        found, memberships = together((_TOKENS, (key,)), (_TOKEN_MEMBERSHIPS, (key,)))
        for auth_token in found:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, validated = self.validate_user(auth_token)
                roles.remember_memberships(user, [m for m in memberships if m.user_id == user.pk])
                return user, validated
        raise exceptions.AuthenticationFailed(message)

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        # An expired token simply fails; the beat task removes it and audits the expiry.
        return bool(auth_token.expiry and auth_token.expiry <= timezone.now())


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser session, when it passed the second factor wherever one is required."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if second_factor.must_use(user) and not user.is_verified():
            return None
        return result


class TokenScopePermission(permissions.BasePermission):
    """A read-only token reads; only a read-and-write token (or a session) changes anything."""

    message = "This token is read-only: create a read-and-write token to make changes."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != TokenScope.READ_WRITE:
            return request.method in permissions.SAFE_METHODS
        return True


class AnonymousCallThrottle(BaseAuthentication):
    """Last of the authentication classes: a call nobody authenticated is counted per client
    address. DRF runs throttles after permissions, so without this an anonymous call refused
    by IsAuthenticated would never be throttled."""

    def authenticate(self, request: Request) -> None:
        _count(f"api-anon:{client_address(request)}", str(api_settings.DEFAULT_THROTTLE_RATES["anon"]))
        return None


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    """OpenAPI: `Authorization: Token <token>`."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token from Account security, as `Token <token>`.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = VerifiedSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
