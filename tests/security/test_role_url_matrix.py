"""The role × URL matrix, extended to the second factor and to tokens: every admin and audit
page refuses a staff session that has not passed the second factor; every API URL refuses a
read-only token's writes and any expired or revoked token, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from ratings.constants import RequestState, TokenScope
from ratings.models import ApiToken
from tests.audit.test_auditor_read_only import Filler, fingerprint, walk
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db


def _urls(prefix: str, rr) -> list[str]:
    filler = Filler(rr)
    found = {
        url
        for chain, pattern in walk(get_resolver().url_patterns)
        for url in filler.urls(chain, pattern.callback)
        if url.startswith(prefix)
    }
    return sorted(found)


@pytest.mark.parametrize("who", ["reviewer", "hhsadmin", "auditor"])
def test_no_admin_or_audit_page_opens_before_the_second_factor(unverified_client, cast, who):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    unverified_client.force_login(getattr(cast, who))
    urls = [
        url for url in _urls("/admin/", rr) + _urls("/audit/", rr) if "/login/" not in url and "/logout/" not in url
    ]
    assert len(urls) > 40
    for url in urls:
        for method in ("get", "post"):
            response = getattr(unverified_client, method)(url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith("/accounts/mfa/verify/"), (method, url)


@pytest.mark.parametrize("kind", ["read_only", "expired", "revoked"])
def test_no_api_url_accepts_a_write_with_a_read_only_expired_or_revoked_token(settings, cast, kind):
    settings.API_THROTTLE_BAD_TOKEN = "1000/minute"  # each refusal here is a 401, not yet a 429
    rr = request_in_state(cast, RequestState.DRAFT)
    scope = TokenScope.READ if kind == "read_only" else TokenScope.READ_WRITE
    token, secret = ApiToken.objects.create(user=cast.applicant, expiry=dt.timedelta(days=1), name="t", scope=scope)
    if kind == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    if kind == "revoked":
        token.delete()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    before = fingerprint({"ratings.ApiToken"})
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    urls = _urls("/api/v1/", rr)
    assert len(urls) >= 8
    for url in urls:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(api, method)(url, {"reason": "x", "typed_name": "x", "certify": True}, format="json")
            expected = {403, 405} if kind == "read_only" else {401}
            assert response.status_code in expected, (kind, method, url, response.status_code)

    assert fingerprint({"ratings.ApiToken"}) == before
    assert not AuditEvent.objects.filter(sequence__gt=head or 0, outcome="success").exists()
