"""API tokens and approval-authority grants in the admin.

Tokens: administrators see the prefix, owner, scope, expiry and last use, and revoke; the
token itself is never stored, so it can never be shown; nobody creates a token for someone
else. Grants: a second administrator confirms or refuses (two-person rule)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from dpa_portal.errors import ApplicationError
from ratings.admin.audited import AuditHistoryMixin
from ratings.models import ApiToken, AuthorityGrant
from ratings.services.accounts import memberships, tokens

TOKEN_FIELDS = ("name", "token_key", "user", "scope", "created", "expiry", "last_used_at", "last_used_from")


class ApiTokenAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = TOKEN_FIELDS
    list_filter = ("scope",)
    search_fields = ("name", "token_key", "user__username")
    list_select_related = ("user",)
    fields = TOKEN_FIELDS
    readonly_fields = TOKEN_FIELDS
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # each person creates their own, in Account security

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke (audited) instead

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.has_perm("ratings.delete_apitoken"):
            actions.pop("revoke", None)
        return actions

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset:
            try:
                tokens.api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            done += 1
        self.message_user(request, f"{done} token(s) revoked.", messages.SUCCESS)


class AuthorityGrantAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ("user", "approval_level", "delegation", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status", "approval_level")
    list_select_related = ("user", "requested_by", "decided_by")
    readonly_fields = (
        "user",
        "organization",
        "approval_level",
        "delegation",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    )
    fields = readonly_fields
    actions = ("confirm", "refuse")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # asked for from the user's page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided by the actions below, each a service

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet[AuthorityGrant], service: Any, verb: str) -> None:
        done = 0
        for grant in queryset:
            try:
                service(grant=grant, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            done += 1
        self.message_user(request, f"{done} grant(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Confirm the selected grants (second administrator)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[AuthorityGrant]) -> None:
        self._decide(request, queryset, memberships.authority_grant_confirm, "confirmed")

    @admin.action(description="Refuse the selected grants")
    def refuse(self, request: HttpRequest, queryset: QuerySet[AuthorityGrant]) -> None:
        self._decide(request, queryset, memberships.authority_grant_reject, "refused")
