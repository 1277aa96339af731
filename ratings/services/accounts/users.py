"""Accounts: created and changed by HHS administrators through these services only, each change
audited with its before and after values. Passwords: changed by their owner or reset by an
e-mailed link, both audited. Superusers are made from the command line, audited too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.models import User
from ratings.services import transition

EDITABLE = ("first_name", "last_name", "email", "title", "is_active")


def _password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed(" ".join(error.messages), field=field) from None


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        # Superuser, staff, groups and model permissions are never set through the web.
        raise ValidationFailed(f"These account fields cannot be changed here: {', '.join(sorted(unknown))}.")
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            raise ValidationFailed("Enter a valid e-mail address.", field="email") from None
    return cleaned


def user_create(*, actor: User, username: str, password: str = "", **values: Any) -> User:
    """A new account without roles (roles are given separately, audited each)."""

    def apply() -> User:
        name = (username or "").strip()
        if not name:
            raise ValidationFailed("Choose a username.", field="username")
        if User.objects.filter(username__iexact=name).exists():
            raise ValidationFailed(f"The username {name} is taken.", field="username")
        user = User(username=name, **_clean(values))
        if password:
            _password(password, user, "password1")
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit.record(
            action=audit_actions.ACCOUNT_CREATE,
            actor=actor,
            target=user,
            changes={key: [None, getattr(user, key)] for key in EDITABLE if key in values},
            data={"username": name, "password_set": bool(password)},
        )
        return user

    return transition.perform_create(
        audit_actions.ACCOUNT_CREATE, actor=actor, refusal=permissions.account_admin_refusal(None, actor), apply=apply
    )


UPDATE = transition.Action(audit=audit_actions.ACCOUNT_UPDATE, permission=permissions.account_admin_refusal)


def user_update(*, user: User, actor: User, values: dict[str, Any]) -> User:
    """Names, e-mail, title, active flag. Nobody deactivates or reactivates their own account."""
    cleaned = _clean(values)

    def apply(locked: User) -> transition.Applied:
        before = {key: getattr(locked, key) for key in cleaned}
        if "is_active" in cleaned and cleaned["is_active"] != locked.is_active and locked.pk == actor.pk:
            raise transition.Refused("Nobody changes their own roles or account status: ask another HHS administrator.")
        for key, value in cleaned.items():
            setattr(locked, key, value)
        changes = {key: [before[key], value] for key, value in cleaned.items() if before[key] != value}
        return transition.Applied(changes=changes, unchanged=not changes)

    return transition.perform(transition.ACCOUNT, UPDATE, target=user, actor=actor, apply=apply)


PASSWORD_CHANGE = transition.Action(
    audit=audit_actions.ACCOUNT_PASSWORD_CHANGE, permission=permissions.own_account_refusal
)


def password_change(*, user: User, actor: User, old_password: str, new_password: str) -> User:
    """The owner changes their password, re-entering the old one."""

    def apply(locked: User) -> transition.Applied:
        if not locked.check_password(old_password):
            raise transition.Refused("Your current password is not correct; the password was not changed.")
        _password(new_password, locked, "new_password1")
        locked.set_password(new_password)
        return transition.Applied(changes={})

    return transition.perform(transition.ACCOUNT, PASSWORD_CHANGE, target=user, actor=actor, apply=apply)


def password_reset_complete(*, user: User, token: str, new_password: str) -> User:
    """A new password through the e-mailed link; the link is the credential (used once)."""

    def token_refusal(locked: User, _actor: User) -> str | None:
        if default_token_generator.check_token(locked, token):
            return None
        return "This password reset link has expired or was already used. Ask for a new one."

    def apply(locked: User) -> transition.Applied:
        _password(new_password, locked, "new_password1")
        locked.set_password(new_password)
        return transition.Applied(changes={})

    reset = transition.Action(audit=audit_actions.ACCOUNT_PASSWORD_RESET, permission=token_refusal)
    return transition.perform(transition.ACCOUNT, reset, target=user, actor=user, apply=apply)


def password_reset_requested(*, email: str, users: list[User]) -> None:
    """Someone asked for a reset link (anonymous): recorded once per request, e-mail hidden."""
    domain = email.rsplit("@", 1)[-1][:100] if "@" in email else ""
    with transaction.atomic(durable=True):
        audit.record(
            action=audit_actions.ACCOUNT_PASSWORD_RESET_REQUEST,
            actor=None,
            actor_label="anonymous",
            data={"email_domain": domain, "accounts": [user.pk for user in users]},
        )


def superuser_create(*, username: str, email: str, password: str, operator: str) -> User:
    """Break-glass superuser from the command line (never the web); the operator is recorded."""
    with transaction.atomic(durable=True):
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationFailed(f"The username {username} is taken.", field="username")
        user = User(username=username, email=email, is_superuser=True, is_staff=True)
        _password(password, user, "password")
        user.set_password(password)
        user.save()
        audit.record(
            action=audit_actions.ACCOUNT_SUPERUSER_CREATE,
            actor=None,
            actor_label=f"command line ({operator})"[:300],
            target=user,
            data={"username": username, "operator": operator},
        )
    return user
