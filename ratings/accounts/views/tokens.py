"""Each person's own API tokens: create (the token is shown once), list, revoke."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dpa_portal.errors import ApplicationError
from ratings.accounts.forms import TokenForm
from ratings.models import ApiToken, User
from ratings.services.accounts import tokens


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = tokens.api_token_issue(
                actor=user, name=data["name"], scope=data["scope"], days=data["days"]
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "secret": secret})
    mine = ApiToken.objects.filter(user=user).order_by("-created")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": mine})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    try:
        tokens.api_token_revoke(token=token, actor=user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Token “{token.name}” ({token.token_key}…) is revoked; it no longer works.")
    return redirect("token-list")
