"""Users with their memberships, organizations and programs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from ratings.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("organization", "role", "approval_level", "delegation", "is_active")


class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Official", {"fields": ("title",)}))  # type: ignore[misc]
    inlines = (MembershipInline,)
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "roles",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("memberships__organization")

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        return format_html_join(", ", "{}", ((m.get_role_display(),) for m in obj.memberships.all()))


class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "kind", "city", "uei", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("legal_name", "short_name", "uei", "cage_code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records refer to organizations for years (retention): deactivate instead


class ProgramAdmin(admin.ModelAdmin):
    list_display = ("symbol", "name", "allowed_levels", "determination_date", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
