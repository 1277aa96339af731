"""Pages anyone may open: the landing page and the public verification of a rated order or a
rating authorization."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.decorators import ratelimit

from dpa_portal.cache import counted
from ratings import permissions
from ratings.services.authorizations import documents as authorization_documents
from ratings.services.orders import documents as order_documents


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and permissions.only_audits(request.user):
        # An auditor has no work queue and no portal: the audit workspace is their home.
        return redirect("audit:search")
    if request.user.is_authenticated and request.user.is_staff and permissions.is_hhs_staff(request.user):
        return redirect("admin:index")
    if request.user.is_authenticated:
        # Everyone else works in the portal; its home shows what needs their action first.
        return redirect("portal:dashboard")
    return render(request, "portal/home.html")


class VerifyForm(forms.Form):
    order_number = forms.CharField(max_length=24, label="Order number")
    fingerprint = forms.CharField(max_length=64, min_length=64, label="Fingerprint (64 hexadecimal characters)")


def _verify_rate(group: str, request: HttpRequest) -> str:
    return str(settings.VERIFY_RATE_LIMIT)


def _render_verify(request: HttpRequest, form: VerifyForm, result: Any, status: int = 200) -> HttpResponse:
    return render(request, "portal/verify.html", {"form": form, "result": result}, status=status)


@ratelimit(key="ip", rate=_verify_rate, method=ratelimit.ALL, block=False)
def verify(request: HttpRequest, order_number: str = "", fingerprint: str = "") -> HttpResponse:
    """Public: genuine or not, and the current status; rate-limited per IP (429 when over; open
    while Redis cannot count: the answer reads one indexed row and reveals nothing confidential)."""
    if getattr(request, "limited", False) and counted("verify", fails="open"):
        return render(request, "portal/verify_limited.html", status=429)
    if order_number or fingerprint:
        form = VerifyForm({"order_number": order_number, "fingerprint": fingerprint})
    elif request.GET:
        form = VerifyForm(request.GET)
    else:
        return _render_verify(request, VerifyForm(), None)
    if not form.is_valid():
        return _render_verify(request, form, None)
    result = order_documents.order_verify(
        order_number=form.cleaned_data["order_number"], fingerprint=form.cleaned_data["fingerprint"]
    )
    return _render_verify(request, form, result)


@ratelimit(key="ip", rate=_verify_rate, method=ratelimit.ALL, block=False)
def verify_authorization(request: HttpRequest, number: str, fingerprint: str) -> HttpResponse:
    """Public: whether a rating authorization is genuine, and whether it is active, expired or
    revoked; nothing confidential (no items, no company names). Rate-limited like orders."""
    if getattr(request, "limited", False) and counted("verify", fails="open"):
        return render(request, "portal/verify_limited.html", status=429)
    result = authorization_documents.authorization_verify(number=number, fingerprint=fingerprint)
    return render(request, "portal/verify_authorization.html", {"result": result})
