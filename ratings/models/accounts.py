"""Credentials and pending grants: API tokens and two-person approval-authority grants."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from knox.models import AbstractAuthToken

from ratings.constants import GrantStatus, RatingLevel, TokenScope


class ApiToken(AbstractAuthToken):
    """A personal API token (django-rest-knox): only its SHA-512 digest and a short prefix are
    stored; the token itself is shown once, when it is made. Named, expiring and scoped.

    Revoked and expired tokens are deleted; the audit trail keeps their id, prefix, name and
    owner. A per-token throttle rate or finer scopes can be added as fields here."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True, help_text="SHA-512 of the token; the token is never stored.")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'ERP integration'.")
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.CharField(max_length=64, blank=True, help_text="Client address of the last use.")

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(condition=models.Q(expiry__isnull=False), name="api_token_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    @property
    def prefix(self) -> str:
        return self.token_key


class AuthorityGrant(models.Model):
    """Approval authority (a DO or DX approving official, or its delegation) asked for by one
    HHS administrator and put in force only when a second, different one confirms it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authority_grants")
    organization = models.ForeignKey("ratings.Organization", on_delete=models.PROTECT, related_name="+")
    approval_level = models.CharField(max_length=2, choices=RatingLevel.choices)
    delegation = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "approval authority grant"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(requested_by=models.F("user")), name="authority_grant_not_for_oneself"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="authority_grant_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approval_level} authority for {self.user} ({self.get_status_display()})"
