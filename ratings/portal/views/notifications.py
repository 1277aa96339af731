"""Portal pages of this area: the user's notification centre (short summaries that lead to their
pages, mark read, filters, e-mail preferences) and the invitation (set-password) page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from dpa_portal.errors import ApplicationError
from dpa_portal.pagination import keyset_page
from ratings.constants import PORTAL_NOTICE_CATEGORIES, NoticeCategory, NotificationDelivery
from ratings.constants import NotificationKind as Kind
from ratings.models import Notification
from ratings.portal.access import actor, render_portal
from ratings.services.accounts import invitations
from ratings.services.notifications import inbox, preferences
from ratings.services.notifications import outbox as notifications


class NoticeFilterForm(forms.Form):
    show = forms.ChoiceField(label="Show", choices=[("", "All notices"), ("unread", "Unread only")], required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Every kind"), *Kind.choices], required=False)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    rows = mine
    form = NoticeFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["show"] == "unread":
            rows = rows.filter(read_at__isnull=True)
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
    page = keyset_page(rows, request.GET.get("after"), field="created_at")
    unread = mine.filter(read_at__isnull=True).count()
    return render_portal(
        request,
        "portal/notifications.html",
        {"page": page, "unread": unread, "form": form, "here": request.get_full_path()},
    )


def _back(request: HttpRequest) -> HttpResponse:
    """To the list as the user filtered it (a local address only)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notification-list")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    row = Notification.objects.filter(pk=pk, recipient_id=request.user.pk).first()
    if row is None:
        raise Http404("No such notice.")
    notifications.notification_mark_read(notification=row, actor=actor(request))
    return _back(request)


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        inbox.notifications_mark_all_read(user=user, actor=user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Every notice is marked read.")
    return _back(request)


class PreferencesForm(forms.Form):
    def __init__(self, *args: object, current: dict[str, str], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for category in PORTAL_NOTICE_CATEGORIES:
            self.fields[category] = forms.ChoiceField(
                label=NoticeCategory(category).label,
                choices=NotificationDelivery.choices,
                initial=current[category],
                widget=forms.RadioSelect,
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """How the user receives each category of optional notices; required notices are listed."""
    user = actor(request)
    form = PreferencesForm(request.POST or None, current=preferences.preferences_of(user))
    if request.method == "POST" and form.is_valid():
        try:
            preferences.notification_preferences_set(user=user, actor=user, choices=form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("notification-preferences")
    return render_portal(
        request,
        "portal/notification_preferences.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = invitations.invitation_user(uidb64, token)
    if user is None:
        return render(request, "portal/invitation_invalid.html", status=400)
    # Django's form checks the two entries and the password validators; the service saves.
    form: forms.Form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept(user=user, token=token, password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "portal/invitation_done.html")
    return render(request, "portal/invitation_form.html", {"form": form, "invited": user}, status=200)
