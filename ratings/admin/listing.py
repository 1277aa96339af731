"""What long changelists share."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ERROR_FLAG, ORDER_VAR, PAGE_VAR, ChangeList
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dpa_portal.pagination import EstimatedCountPaginator

# Query parameters that page, sort or frame a changelist without narrowing it.
NOT_NARROWING = {PAGE_VAR, ORDER_VAR, "_facets", IS_POPUP_VAR, TO_FIELD_VAR, ERROR_FLAG}


class EstimatedCountMixin:
    """Large changelists: the planner's row estimate instead of `COUNT(*)` (dpa_portal.pagination),
    also when the only filter is the viewer's scope; no second count of the unfiltered list (with
    a filter on, Django links "Show all" instead of printing that total)."""

    paginator: ClassVar[type] = EstimatedCountPaginator
    show_full_result_count = False

    def get_paginator(self, request: HttpRequest, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Any:
        paginator = super().get_paginator(request, queryset, per_page, *args, **kwargs)  # type: ignore[misc]
        paginator.scope_only = not set(request.GET) - NOT_NARROWING
        return paginator


class QuickChangeList(ChangeList):
    """Django's changelist, cheaper per row: each row's link from one `reverse` per page, and only
    the joins `list_select_related` names (the selector's other joins serve other pages)."""

    PK = "__pk__"

    @cached_property
    def _change_url(self) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return str(reverse(name, args=(self.PK,), current_app=self.model_admin.admin_site.name))

    def url_for_result(self, result: Any) -> str:
        return self._change_url.replace(self.PK, str(quote(getattr(result, self.pk_attname))), 1)

    def get_queryset(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Django applies `list_select_related` only to a queryset that joins nothing yet.
        qs = super().get_queryset(request, *args, **kwargs)
        if isinstance(self.list_select_related, list | tuple):
            return qs.select_related(None).select_related(*self.list_select_related)
        return qs


class QuickActionCheckboxMixin:
    """Each row's selection box, the markup Django's CheckboxInput renders, written directly:
    the form widget renders its template once per row, a third of an order changelist's time.
    Rows linked and joined by `QuickChangeList`."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QuickChangeList

    def action_checkbox(self, obj: Any) -> SafeString:
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
