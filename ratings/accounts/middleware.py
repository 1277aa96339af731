"""Guards every request passes: input at the edge, response headers, session limits and the
second factor. Each is small; together they sit in settings.MIDDLEWARE in this order."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from dpa_portal.prepared import Prepared, as_key
from ratings import permissions, second_factor

Handler = Callable[[HttpRequest], HttpResponse]
PROBLEM = "application/problem+json"


def _bad_text(value: str) -> bool:
    # NUL never belongs in text (PostgreSQL refuses it); U+FFFD is what broken UTF-8 decodes to.
    return "\x00" in value or "\ufffd" in value


def _problem(request: HttpRequest, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {
            "type": "urn:dpa-portal:problem:invalid_input",
            "title": "Invalid input",
            "status": 400,
            "detail": detail,
        }
        return JsonResponse(body, status=400, content_type=PROBLEM)
    return render(request, "accounts/bad_request.html", {"detail": detail}, status=400)


class InputGuardMiddleware:
    """NUL bytes and malformed UTF-8 in the path, query, headers or form fields are a 400 with a
    message, before any view or query sees them (they were 500s)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self._problem(request)
        if problem:
            return _problem(request, problem)
        return self.get_response(request)

    def _problem(self, request: HttpRequest) -> str:
        if _bad_text(request.path) or "%00" in request.META.get("QUERY_STRING", ""):
            return "The address contains a character that is not allowed (NUL or malformed UTF-8)."
        if any(_bad_text(k) or _bad_text(v) for k, values in request.GET.lists() for v in [k, *values]):
            return "A query parameter contains a character that is not allowed (NUL or malformed UTF-8)."
        if any(isinstance(v, str) and "\x00" in v for k, v in request.META.items() if k.startswith("HTTP_")):
            return "A request header contains a NUL character."
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            fields = [v for k, values in request.POST.lists() for v in [k, *values]]
            names = [upload.name or "" for _field, uploads in request.FILES.lists() for upload in uploads]
            if any(_bad_text(v) for v in [*fields, *names]):
                return "A form field contains a character that is not allowed (NUL or malformed UTF-8)."
        if request.content_type == "application/json" and (b"\x00" in request.body or b"\\u0000" in request.body):
            return "A JSON field contains a NUL character (\\u0000), which text may not hold."
        return ""


class ResponseHeadersMiddleware:
    """Confidential pages are never cached (no-store); browser features we do not use are off."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's, with the session's device read by a query compiled once per kind of device
    (every request of a verified session loads it). django-otp's own checks follow unchanged:
    the device must be the user's and confirmed, or the session is no longer verified."""

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        try:
            label, key = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            model = apps.get_model(label)
        except (ValueError, LookupError):
            return None
        pk = as_key(key)
        if pk is None or not issubclass(model, Device):
            return None
        if model not in _DEVICES:
            _DEVICES[model] = Prepared(lambda k: model.objects.filter(id=k))
        found = _DEVICES[model].all(pk)
        return found[0] if found else None


_DEVICES: dict[type[Device], Prepared[Any]] = {}

STARTED, SEEN, KEPT = "session_started", "session_seen", "kept_form"
NEVER_KEEP = ("csrfmiddlewaretoken", "password", "otp")


def idle_limit(user: Any) -> int:
    # Every session held at AAL2 (anyone who must use a second factor, staff or portal) gets the
    # AAL2 inactivity limit of SP 800-63B, not only HHS staff.
    aal2 = user.is_staff or permissions.is_hhs_staff(user) or permissions.must_use_second_factor(user)
    return settings.SESSION_IDLE_SECONDS_STAFF if aal2 else settings.SESSION_IDLE_SECONDS_PORTAL


class SessionLimitsMiddleware:
    """Idle and absolute limits. A form sent after expiry is kept (without passwords or codes)
    and offered again, filled in, once its author has signed in again."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            session = request.session
            started, seen = session.setdefault(STARTED, now), session.get(SEEN, now)
            expired = now - seen > idle_limit(user) or now - started > settings.SESSION_ABSOLUTE_SECONDS
            if expired:
                return self._expired(request, user.pk)
            if now - seen >= 30 or SEEN not in session:  # fewer session writes
                session[SEEN] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest, user_id: int) -> HttpResponse:
        kept = None
        if request.method == "POST" and not request.path.startswith("/api/") and not request.FILES:
            fields = [(k, v) for k, values in request.POST.lists() for v in values if not k.startswith(NEVER_KEEP)]
            kept = {"path": request.path, "user": user_id, "fields": fields}
        logout(request)
        if kept:
            request.session[KEPT] = kept
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Your session has expired; sign in again."}, status=401)
        target = reverse("session-resume") if kept else request.get_full_path()
        response = redirect_to_login(target)
        response["Location"] += "&" + urlencode({"expired": "1"})
        return response


# Paths a signed-in person who still owes the second factor may open.
OPEN_PATHS = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/mfa/verify/",
    "/accounts/mfa/setup/",
    "/accounts/webauthn/authentication/",
    "/accounts/webauthn/jsi18n/",
    "/accounts/session/",
    "/accounts/password-reset/",
    "/accounts/reset/",
    "/static/",
)


class SecondFactorRequiredMiddleware:
    """Whoever must use a second factor (HHS staff, auditors, members of organizations that
    require it) or has one set up opens nothing else until the session passed it."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(OPEN_PATHS):
            if second_factor.has_any(user):
                return self._refuse(request, "mfa-verify")
            if second_factor.must_use(user):
                return self._refuse(request, "mfa-setup")
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, view: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            body = {
                "type": "urn:dpa-portal:problem:second_factor_required",
                "title": "Second factor required",
                "status": 403,
                "detail": "Sign in with your second factor first.",
            }
            return JsonResponse(body, status=403, content_type=PROBLEM)
        return redirect(f"{reverse(view)}?{urlencode({'next': request.get_full_path()})}")
