"""Admin pieces shared by models that are written through services: the History button shows
the object's audit events (not Django's LogEntry), and saving calls a service, each service its
own transaction (so the admin's own outer transaction is not used)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from audit.actions import label as action_label
from audit.models import AuditEvent
from dpa_portal.errors import ApplicationError
from ratings import permissions


class AuditHistoryMixin:
    """History: the audit events about the object (and what `history_filter` adds)."""

    def history_filter(self, obj: Model) -> Q:
        return Q(object_type=obj._meta.label, object_id=str(obj.pk))

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        model_admin: Any = self
        obj = model_admin.get_object(request, object_id)  # scoped like the list
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = AuditEvent.objects.filter(self.history_filter(obj)).order_by("-sequence")[:500]
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"Audit history: {obj}",
            "opts": model_admin.model._meta,
            "object": obj,
            "rows": [(event, action_label(event.action)) for event in events],
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


class ServiceSaveMixin:
    """Saves go through services (called from save_model / save_formset); a refusal or an
    input the service rejects becomes an admin message and nothing is saved by the admin."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        model_admin: Any = self
        try:
            return model_admin._changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            model_admin.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No model-permission or group many-to-many is ever saved from a form.
        for formset in formsets:
            self.save_formset(request, form, formset, change)  # type: ignore[attr-defined]

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions

    # The services audit every save: the audit trail is the history (django_admin_log is not).
    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None


class ServiceRecordMixin(ServiceSaveMixin):
    """A reference record (organization, program) created and changed only by its audited
    services, never deleted: rating records refer to it for years (retention)."""

    service_fields: tuple[str, ...] = ()

    def create_record(self, *, actor: Any, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_record(self, obj: Any, *, actor: Any, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor: Any = request.user
        if change:
            self.update_record(obj, actor=actor, values=changed_values(form, self.service_fields))
            return
        values = {n: form.cleaned_data[n] for n in self.service_fields if n in form.cleaned_data}
        created = self.create_record(actor=actor, values=values)
        obj.pk, obj._state.adding = created.pk, False


def changed_values(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


class CaseRecordMixin:
    """A casework record (assistance case, reconsideration): read by HHS workflow staff and
    auditors, changed only by its services through the admin's own action pages."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.sees_business_data(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.sees_business_data(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened in the portal by the party who asks

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
