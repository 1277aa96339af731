"""Sign-in and passwords: rate-limited per client address; every change audited by a service."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.core import is_ratelimited

from dpa_portal.cache import counted
from dpa_portal.errors import ApplicationError
from dpa_portal.net import client_address
from ratings.models import User
from ratings.services.accounts import users

TOO_MANY = "Too many attempts from your address; wait a few minutes and try again."
RESET_UNAVAILABLE = "Password reset e-mails cannot be sent just now; nothing was sent. Try again in a few minutes."


def _limited(request: HttpRequest, group: str, rate: str, key: Any = None) -> bool:
    return is_ratelimited(
        request, group=group, key=key or (lambda _g, r: client_address(r)), rate=rate, method="POST", increment=True
    )


class LoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Fails open: django-axes still locks a username at an address out, in the database.
        if _limited(request, "login", settings.LOGIN_RATE_LIMIT) and counted("login", fails="open"):
            form: Any = self.get_form()
            # Not validated: over the limit, the password is not even checked.
            form._errors = ErrorDict({NON_FIELD_ERRORS: form.error_class([TOO_MANY], error_class="nonfield")})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        by_address = _limited(self.request, "password-reset", settings.PASSWORD_RESET_RATE_LIMIT)
        by_email = _limited(
            self.request, "password-reset-email", settings.PASSWORD_RESET_RATE_LIMIT, key=lambda _g, _r: email.lower()
        )
        if by_address or by_email:
            # Fails closed: uncounted, anyone could send a victim reset e-mails without end.
            if not counted("password-reset", fails="closed"):
                form.add_error(None, RESET_UNAVAILABLE)
                response = self.render_to_response(self.get_context_data(form=form), status=503)
                response["Retry-After"] = "60"
                return response
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        users.password_reset_requested(email=email, users=list(form.get_users(email)))
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            users.password_reset_complete(user=self.user, token=token, new_password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            form.add_error("new_password1" if error.field else None, error.message)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            users.password_change(
                user=user,
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as error:
            form.add_error("old_password" if "current" in error.message else None, error.message)
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)
            return render(request, "registration/password_change_done.html")
    return render(request, "registration/password_change_form.html", {"form": form})
