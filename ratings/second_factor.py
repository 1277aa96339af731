"""The second factor (django-otp): which devices a person has and checking a code.

TOTP apps and recovery codes are checked here; passkeys (WebAuthn) are checked by
django-otp-webauthn's ceremony views. django-otp throttles each device after failures
(exponential delay) and refuses a TOTP code that was already used (replay).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django_otp import device_classes, devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ratings import permissions

RECOVERY_DEVICE_NAME = "Recovery codes"


def must_use(user: Any) -> bool:
    return permissions.must_use_second_factor(user)


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_any(user: Any) -> bool:
    """Whether the user has a confirmed device of any kind, in one query: the middleware asks on
    every request of a signed-in person who has not passed a second factor, and django-otp's
    `devices_for_user` reads each kind (TOTP, recovery codes, passkeys) in turn."""
    if user.is_anonymous:
        return False
    kinds = [model.objects.devices_for_user(user, confirmed=True).values("pk") for model in device_classes()]
    if not kinds:
        return False
    return bool(kinds[0].union(*kinds[1:], all=True).exists())


def devices(user: Any) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))


# What a person calls each kind of second factor (the administrator's account pages).
KIND_LABELS = {"TOTPDevice": "Authenticator app", "StaticDevice": "Recovery codes", "WebAuthnCredential": "Passkey"}


def kind_label(device: Any) -> str:
    return KIND_LABELS.get(type(device).__name__, "Other second factor")


@dataclass(frozen=True)
class Check:
    ok: bool
    device: Any | None = None
    kind: str = ""  # "totp" or "recovery_code"
    message: str = ""


def _throttled(device: Any) -> str:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return ""
    count = (data or {}).get("failure_count", 0)
    return f"Too many wrong codes ({count}); wait a little before trying again."


def check_totp(user: Any, code: str) -> Check:
    """A code from the authenticator app. The device's throttle and last-used step are saved."""
    device = totp_device(user)
    if device is None:
        return Check(False, message="Set up an authenticator app first (Account security).")
    code = (code or "").strip().replace(" ", "")
    if not code:
        return Check(False, device, "totp", "Enter the 6-digit code from your authenticator app.")
    throttled = _throttled(device)
    if throttled:
        return Check(False, device, "totp", throttled)
    if device.verify_token(code):
        return Check(True, device, "totp")
    return Check(False, device, "totp", "That code is not correct or was already used; enter the current code.")


def check_code(user: Any, code: str) -> Check:
    """Sign-in: a TOTP code, or one of the recovery codes (each works once)."""
    code = (code or "").strip().replace(" ", "")
    if len(code) > 6 or not code.isdigit():
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            throttled = _throttled(device)
            if throttled:
                return Check(False, device, "recovery_code", throttled)
            if device.verify_token(code.lower()):
                return Check(True, device, "recovery_code")
        return Check(False, None, "recovery_code", "That recovery code is not correct or was already used.")
    return check_totp(user, code)


def record_failure(device: Any) -> None:
    """Count a failed code again after the transaction that checked it rolled back (a refused
    signature), so the throttle still grows."""
    type(device)._default_manager.filter(pk=device.pk).update(
        throttling_failure_count=F("throttling_failure_count") + 1, throttling_failure_timestamp=timezone.now()
    )
