"""Rated-order views: the permission-checked document download and the public verification page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

from audit import services as audit
from audit.constants import Outcome
from ratings import selectors
from ratings.models import Document, RatedOrder
from ratings.services import order_documents


@login_required
def order_document_download(request: HttpRequest, order_number: str, version: int) -> HttpResponseBase:
    """Placing organization's applicants, the supplier's contacts, HHS staff and auditors only;
    every outcome audited; anyone else gets 404 (the order's existence is not disclosed)."""
    order = selectors.rated_orders_for(request.user).filter(order_number=order_number).first()
    if order is None:
        existing = RatedOrder.objects.filter(order_number=order_number).first()
        if existing is not None:
            with transaction.atomic():
                audit.record(
                    action="rated_order.document_download",
                    actor=request.user,
                    target=existing,
                    outcome=Outcome.DENIED,
                    reference=existing.order_number,
                    organization_id=existing.placing_organization_id,
                    reason="Not the placing organization, the supplier, HHS staff or an auditor.",
                    data={"version": version},
                )
        raise Http404("No such order.")
    document = Document.objects.filter(version__order=order, version__number=version).first()
    if document is None:
        raise Http404("This document does not exist or is not generated yet.")
    with transaction.atomic():
        audit.record(
            action="rated_order.document_download",
            actor=request.user,
            target=document,
            reference=order.order_number,
            organization_id=order.placing_organization_id,
            data={"version": version, "kind": document.kind, "sha256": document.sha256},
        )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{order.order_number}-v{version}-{document.kind}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class VerifyForm(forms.Form):
    order_number = forms.CharField(max_length=24, label="Order number")
    fingerprint = forms.CharField(max_length=64, min_length=64, label="Fingerprint (64 hexadecimal characters)")


def _verify_rate(group: str, request: HttpRequest) -> str:
    return str(settings.VERIFY_RATE_LIMIT)


def _render_verify(request: HttpRequest, form: VerifyForm, result: Any, status: int = 200) -> HttpResponse:
    return render(request, "ratings/verify.html", {"form": form, "result": result}, status=status)


@ratelimit(key="ip", rate=_verify_rate, method=ratelimit.ALL, block=False)
def verify(request: HttpRequest, order_number: str = "", fingerprint: str = "") -> HttpResponse:
    """Public: genuine or not, and the current status; rate-limited per IP (429 when over)."""
    if getattr(request, "limited", False):
        return render(request, "ratings/verify_limited.html", status=429)
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
