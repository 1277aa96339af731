"""The item-family mapping, kept by the holders of the program view permission: a family's name,
and the part numbers and descriptions (one a line) its items are written with. Saves call the
audited services; a family is never deleted from here (emptying its keys retires it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from ratings import permissions
from ratings.admin.audited import AuditHistoryMixin, ServiceSaveMixin
from ratings.models import ItemFamily
from ratings.services.program import families


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ItemFamilyForm(forms.ModelForm):
    part_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="One a line. Case, spaces, hyphens, dots, slashes and underscores are ignored.",
    )
    descriptions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="One a line, for items without a matching part number. Case and spacing are ignored.",
    )

    class Meta:
        model = ItemFamily
        fields = ("name", "notes")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            keys = list(self.instance.keys.values_list("key", flat=True))
            self.fields["part_numbers"].initial = "\n".join(k[3:] for k in keys if k.startswith("pn:"))
            self.fields["descriptions"].initial = "\n".join(k[5:] for k in keys if k.startswith("desc:"))


class ItemFamilyAdmin(AuditHistoryMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = ItemFamilyForm
    list_display = ("name", "key_count")
    search_fields = ("name", "keys__key")

    @admin.display(description="part numbers and descriptions")
    def key_count(self, obj: ItemFamily) -> int:
        return obj.keys.count()

    def _allowed(self, request: HttpRequest) -> bool:
        return permissions.program_view_refusal(None, request.user) is None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ItemFamily, form: Any, change: bool) -> None:
        actor: Any = request.user
        values = {
            "name": form.cleaned_data["name"],
            "notes": form.cleaned_data.get("notes", ""),
            "part_numbers": _lines(form.cleaned_data.get("part_numbers", "")),
            "descriptions": _lines(form.cleaned_data.get("descriptions", "")),
        }
        if change:
            families.item_family_update(family=obj, actor=actor, **values)
        else:
            created = families.item_family_create(actor=actor, **values)
            obj.pk, obj._state.adding = created.pk, False

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None
