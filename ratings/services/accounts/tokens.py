"""Personal API tokens (django-rest-knox, stored as a SHA-512 digest): each person creates and
revokes their own; HHS administrators list and revoke anyone's but can never read or create
another person's. Issue, revocation and expiry are audited with the token's id and prefix."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import TokenScope
from ratings.models import ApiToken, User
from ratings.services import transition
from ratings.services.accounts import kinds


def _facts(token: ApiToken) -> dict[str, object]:
    return {
        "token_id": token.pk,
        "prefix": token.token_key,
        "name": token.name,
        "scope": token.scope,
        "owner": token.user.get_username(),
        "expiry": token.expiry,
    }


def api_token_issue(*, actor: User, name: str, scope: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor; returns it with the secret, which is shown once and never stored."""
    label = (name or "").strip()
    lifetime = settings.API_TOKEN_DEFAULT_DAYS if days is None else days

    def apply() -> tuple[ApiToken, str]:
        if not label or len(label) > 100:
            raise ValidationFailed("Name the token (what it is for), in at most 100 characters.", field="name")
        if scope not in TokenScope.values:
            raise ValidationFailed("Choose the token's scope: read, or read and write.", field="scope")
        if not 1 <= lifetime <= settings.API_TOKEN_MAX_DAYS:
            raise ValidationFailed(f"A token lives between 1 and {settings.API_TOKEN_MAX_DAYS} days.", field="days")
        token, secret = ApiToken.objects.create(user=actor, expiry=dt.timedelta(days=lifetime), name=label, scope=scope)
        audit.record(action=audit_actions.API_TOKEN_ISSUE, actor=actor, target=token, data=_facts(token))
        return token, secret

    return transition.perform_create(
        audit_actions.API_TOKEN_ISSUE, actor=actor, refusal=permissions.token_issue_refusal(None, actor), apply=apply
    )


REVOKE = transition.Action(audit=audit_actions.API_TOKEN_REVOKE, permission=permissions.token_revoke_refusal)


def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    """The owner or an HHS administrator revokes a token: it stops working at once."""

    def apply(locked: ApiToken) -> transition.Applied:
        facts = _facts(locked)
        return transition.Applied(data=facts, then=lambda: ApiToken.objects.filter(pk=locked.pk).delete())

    transition.perform(kinds.API_TOKEN, REVOKE, target=token, actor=actor, apply=apply)


def api_tokens_expire() -> int:
    """Remove tokens past their expiry (beat task), one audit event each; returns how many."""
    removed = 0
    for token_id in ApiToken.objects.filter(expiry__lte=timezone.now()).values_list("pk", flat=True)[:1000]:
        with transaction.atomic(durable=True):
            token = (
                ApiToken.objects.select_for_update(of=("self",), no_key=True)
                .select_related("user")
                .filter(pk=token_id)
                .first()
            )
            if token is None:
                continue
            audit.record(action=audit_actions.API_TOKEN_EXPIRE, actor=None, target=token, data=_facts(token))
            token.delete()
            removed += 1
    return removed


def api_token_used(*, token: ApiToken, address: str) -> None:
    """Bookkeeping for the administrators' list (last use), written at most once a minute."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < dt.timedelta(minutes=1) and token.last_used_from == address:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address[:64])
    token.last_used_at, token.last_used_from = now, address
