"""The admin home is the work queue: what waits for the signed-in staff member, their notices
(with the unread count), the counts by state, what is overdue and, for supervisors, each
reviewer's workload. Also the notice pages: mark one read, and the notice preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from dpa_portal.errors import ApplicationError
from ratings.admin.actions import TITLES
from ratings.constants import NoticeCategory, NotificationDelivery
from ratings.models import Notification, User
from ratings.selectors import workqueue
from ratings.services.notifications import outbox, preferences

NOTICES_SHOWN = 8


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise Http404("Sign in as HHS staff.")
    return request.user


def index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """AdminSite.index with the work queue in its context (templates/admin/ratings/workqueue.html)."""
    user = _user(request)
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    unread_count = unread.count()
    context = {
        "queue": workqueue.work_queue(user),
        "action_titles": TITLES,
        "notices": list(unread.order_by("-created_at", "-pk")[:NOTICES_SHOWN]),
        "unread_count": unread_count,
        "unread_notices": unread_count,  # the header's count (ratings.portal.context), counted once
        **(extra_context or {}),
    }
    return AdminSite.index(admin.site, request, extra_context=context)


def mark_read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """POST: the recipient marks one notice read, then goes back (to the queue, or where it links)."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:index"))
    notice = get_object_or_404(Notification, pk=notification_id)
    try:
        outbox.notification_mark_read(notification=notice, actor=_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return HttpResponseRedirect(target or reverse("admin:index"))


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for category, delivery in current.items():
            self.fields[category] = forms.ChoiceField(
                label=NoticeCategory(category).label,
                choices=NotificationDelivery.choices,
                initial=delivery,
                widget=forms.RadioSelect,
            )


def preferences_view(request: HttpRequest) -> HttpResponse:
    """How the signed-in user receives each category of optional notices."""
    user = _user(request)
    form = PreferencesForm(request.POST or None, current=preferences.preferences_of(user))
    if request.method == "POST" and form.is_valid():
        try:
            preferences.notification_preferences_set(user=user, actor=user, choices=form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your notice preferences are saved.")
            return HttpResponseRedirect(reverse("admin:ratings_notification_preferences"))
    context = {
        **admin.site.each_context(request),
        "title": "Notice preferences",
        "form": form,
    }
    return TemplateResponse(request, "admin/ratings/notification/preferences.html", context)
