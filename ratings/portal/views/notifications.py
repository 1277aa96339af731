"""Portal pages of this area: the user's in-app notices and the invitation (set-password) page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from dpa_portal.pagination import keyset_page
from ratings.models import Notification
from ratings.services.accounts import invitations
from ratings.services.notifications import outbox as notifications


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(recipient_id=request.user.pk)
    page = keyset_page(rows, request.GET.get("after"), field="created_at")
    unread = rows.filter(read_at__isnull=True).count()
    return render(request, "portal/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    row = Notification.objects.filter(pk=pk, recipient_id=request.user.pk).first()
    if row is None:
        raise Http404("No such notice.")
    notifications.notification_mark_read(notification=row, actor=request.user)  # type: ignore[arg-type]
    return redirect("notification-list")


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
