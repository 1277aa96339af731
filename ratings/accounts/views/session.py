"""Session pages: keep-alive for the expiry warning, the kept form after sign-in, CSRF failure."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ratings.accounts.middleware import KEPT


@login_required
@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    # The session middleware has just recorded this request as activity.
    return HttpResponse(status=204)


@login_required
def resume(request: HttpRequest) -> HttpResponse:
    """What was typed before the session expired, ready to send again (never replayed unasked)."""
    kept = request.session.pop(KEPT, None)
    if not kept or kept.get("user") != request.user.pk:
        return redirect("home")
    return render(request, "accounts/session_resume.html", {"action": kept["path"], "fields": kept["fields"]})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (an old page, or another tab signed in again)."""
    return render(request, "accounts/csrf_failure.html", status=403)
