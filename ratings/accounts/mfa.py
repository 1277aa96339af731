"""Passkeys (django-otp-webauthn): the relying party is the host the browser uses, and only this
site's own origin is accepted."""

from __future__ import annotations

from django.http import HttpRequest
from django_otp_webauthn.helpers import WebAuthnHelper as BaseHelper


def relying_party_id(request: HttpRequest) -> str:
    # get_host() is checked against ALLOWED_HOSTS; the RP id is the host without the port.
    return request.get_host().rsplit(":", 1)[0] if "]" not in request.get_host() else request.get_host()


class WebAuthnHelper(BaseHelper):
    def get_allowed_origins(self) -> list[str]:
        own = f"{self.request.scheme}://{self.request.get_host()}"  # get_host() checks ALLOWED_HOSTS
        secure = own.startswith(("https://", "http://localhost"))
        return sorted({*super().get_allowed_origins(), *([own] if secure else [])})
