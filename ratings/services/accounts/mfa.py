"""The second factor: set up (an authenticator app first, then passkeys and recovery codes),
used at sign-in, and reset by an HHS administrator, each audited. A wrong code is an audited
refusal that still counts towards the device's throttle."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions, second_factor
from ratings.models import User
from ratings.services import transition


def new_totp_key() -> str:
    """A fresh secret (hex, as django-otp stores it); kept in the session until confirmed."""
    return secrets.token_hex(20)


def _code_matches(key: str, code: str) -> bool:
    totp = TOTP(bytes.fromhex(key))
    code = (code or "").strip().replace(" ", "")
    return code.isdigit() and len(code) == 6 and bool(totp.verify(int(code), tolerance=1))


ENROL = transition.Action(audit=audit_actions.MFA_ENROL, permission=permissions.own_account_refusal)


def totp_enrol(*, user: User, actor: User, key: str, code: str) -> TOTPDevice:
    """Confirm an authenticator app with a code it shows: it becomes (or replaces) the TOTP device."""
    created: list[TOTPDevice] = []

    def apply(locked: User) -> transition.Applied:
        if not _code_matches(key, code):
            raise ValidationFailed("That code does not match; enter the code your app shows now.", field="code")
        replaced = TOTPDevice.objects.filter(user=locked).delete()[0]
        device = TOTPDevice.objects.create(user=locked, name="Authenticator app", key=key, confirmed=True)
        created.append(device)
        return transition.Applied(changes={}, data={"device": "totp", "device_id": device.pk, "replaced": replaced})

    transition.perform(transition.ACCOUNT, ENROL, target=user, actor=actor, apply=apply)
    return created[0]


def passkey_enrol(*, user: User, actor: User, register: Callable[[], WebAuthnCredential]) -> WebAuthnCredential:
    """A passkey, registered by django-otp-webauthn's ceremony inside this transaction."""
    created: list[WebAuthnCredential] = []

    def apply(locked: User) -> transition.Applied:
        if second_factor.totp_device(locked) is None:
            raise ValidationFailed("Set up an authenticator app first: signatures need its codes.")
        device = register()
        created.append(device)
        return transition.Applied(changes={}, data={"device": "passkey", "device_id": device.pk, "name": device.name})

    transition.perform(transition.ACCOUNT, ENROL, target=user, actor=actor, apply=apply)
    return created[0]


RECOVERY = transition.Action(audit=audit_actions.MFA_RECOVERY_CODES, permission=permissions.own_account_refusal)


def recovery_codes_make(*, user: User, actor: User) -> list[str]:
    """A new set of single-use recovery codes (the old set stops working); shown once."""
    codes: list[str] = []

    def apply(locked: User) -> transition.Applied:
        if second_factor.totp_device(locked) is None:
            raise ValidationFailed("Set up an authenticator app first.")
        device, _ = StaticDevice.objects.get_or_create(
            user=locked, name=second_factor.RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        for _ in range(settings.MFA_RECOVERY_CODES):
            token = StaticToken.random_token()
            device.token_set.create(token=token)
            codes.append(token)
        return transition.Applied(changes={}, data={"count": len(codes)})

    transition.perform(transition.ACCOUNT, RECOVERY, target=user, actor=actor, apply=apply)
    return codes


def _verify_rule(code: str, result: list[second_factor.Check]) -> Callable[[User, User], str | None]:
    def rule(locked: User, actor: User) -> str | None:
        if locked.pk != actor.pk:
            return "Only the account's owner can do this."
        check = second_factor.check_code(locked, code)
        result.append(check)
        if check.ok:
            return None
        device = check.device
        keep = (lambda: second_factor.record_failure(device)) if device is not None and code else None
        raise transition.Refused(check.message, keep=keep)

    return rule


def second_factor_verify(*, user: User, actor: User, code: str) -> Any:
    """Sign-in, second step: a TOTP code or a recovery code. Returns the device that matched."""
    result: list[second_factor.Check] = []
    action = transition.Action(audit=audit_actions.MFA_VERIFY, permission=_verify_rule(code, result))

    def apply(_locked: User) -> transition.Applied:
        check = result[-1]
        remaining = StaticToken.objects.filter(device__user=user).count() if check.kind == "recovery_code" else None
        return transition.Applied(changes={}, data={"device": check.kind, "recovery_codes_left": remaining})

    transition.perform(transition.ACCOUNT, action, target=user, actor=actor, apply=apply)
    return result[-1].device


def passkey_used(*, user: User, actor: User, device: WebAuthnCredential) -> None:
    """Sign-in with a passkey, checked by django-otp-webauthn: recorded like a code."""
    action = transition.Action(audit=audit_actions.MFA_VERIFY, permission=permissions.own_account_refusal)
    transition.perform(
        transition.ACCOUNT,
        action,
        target=user,
        actor=actor,
        apply=lambda _u: transition.Applied(changes={}, data={"device": "passkey", "device_id": device.pk}),
    )


RESET = transition.Action(audit=audit_actions.MFA_RESET, permission=permissions.second_factor_reset_refusal)


def second_factor_reset(*, user: User, actor: User, reason: str) -> None:
    """An administrator removes someone's devices (lost phone); they set up again at next sign-in."""

    def apply(locked: User) -> transition.Applied:
        if not (reason or "").strip():
            raise ValidationFailed(
                "Say why the second factor is reset (e.g. how the person was identified).", field="reason"
            )
        removed = {
            "totp": TOTPDevice.objects.filter(user=locked).delete()[0],
            "recovery": StaticDevice.objects.filter(user=locked).delete()[0],
            "passkey": WebAuthnCredential.objects.filter(user=locked).delete()[0],
        }
        return transition.Applied(changes={}, reason=reason.strip(), data={"removed": removed})

    transition.perform(transition.ACCOUNT, RESET, target=user, actor=actor, apply=apply)


def passkey_failure_record(*, user: User, message: str) -> None:
    """A passkey that did not verify: a denied sign-in event (the ceremony changed nothing)."""
    transition.audit_denied(action=audit_actions.MFA_VERIFY, actor=user, target=user, message=message[:500])
