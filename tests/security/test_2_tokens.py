"""Finding 2: borrowed identity. Tokens are stored hashed and shown once; an HHS administrator
lists and revokes but can never read or create someone else's; tokens expire and have a scope;
issue, revocation and expiry are audited, and API events carry the token's id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from ratings.constants import RequestState, TokenScope
from ratings.models import ApiToken, RatingRequest
from ratings.services.accounts import tokens
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db


def api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_token_is_shown_once_stored_hashed_and_expires_in_90_days_by_default(client, cast):
    client.force_login(cast.applicant)

    page = client.post(reverse("token-list"), {"name": "ERP", "scope": TokenScope.READ_WRITE, "days": "90"})

    secret = page.context["secret"]
    token = ApiToken.objects.get(user=cast.applicant)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.digest != secret and len(token.digest) == 128 and secret.startswith(token.token_key)
    assert abs(token.expiry - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert secret not in client.get(reverse("token-list")).content.decode()
    event = AuditEvent.objects.get(action="api_token.issue")
    assert (event.actor_id, event.data["token_id"], event.data["prefix"]) == (
        cast.applicant.pk,
        token.pk,
        token.token_key,
    )


def test_the_administrator_lists_and_revokes_but_never_reads_or_creates_tokens(client, cast):
    token, secret = tokens.api_token_issue(actor=cast.applicant, name="ERP", scope=TokenScope.READ_WRITE)
    client.force_login(cast.hhsadmin)

    listing = client.get(reverse("admin:ratings_apitoken_changelist")).content.decode()
    detail = client.get(reverse("admin:ratings_apitoken_change", args=[token.pk])).content.decode()
    assert token.token_key in listing and cast.applicant.username in listing
    for page in (listing, detail):
        assert secret not in page and token.digest not in page
    assert client.get(reverse("admin:ratings_apitoken_add")).status_code == 403

    response = client.post(
        reverse("admin:ratings_apitoken_changelist"), {"action": "revoke", "_selected_action": [str(token.pk)]}
    )

    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api(secret).get("/api/v1/requests/").status_code == 401
    revoke = AuditEvent.objects.get(action="api_token.revoke")
    assert (revoke.actor_id, revoke.data["owner"], revoke.data["token_id"]) == (
        cast.hhsadmin.pk,
        cast.applicant.username,
        token.pk,
    )
    assert not any(secret in str(entry.change_message) + entry.object_repr for entry in LogEntry.objects.all())


def test_an_administrator_using_a_manufacturers_token_is_named_in_the_trail(cast):
    # The finding: a token used by someone else acted as its owner with nothing to tell. Now the
    # token is never readable; a token used in a call is named on every event of the call.
    token, secret = tokens.api_token_issue(actor=cast.applicant, name="ERP", scope=TokenScope.READ_WRITE)
    rr = request_in_state(cast, RequestState.SUBMITTED)

    response = api(secret).post(
        f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "Not needed."}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="rating_request.withdraw")
    assert (event.actor_id, event.data["credential"]) == (cast.applicant.pk, f"api_token:{token.pk}")


def test_a_read_only_token_reads_and_changes_nothing(cast):
    _token, secret = tokens.api_token_issue(actor=cast.applicant, name="Reports", scope=TokenScope.READ)
    rr = request_in_state(cast, RequestState.SUBMITTED)

    assert api(secret).get("/api/v1/requests/").status_code == 200
    refused = api(secret).post(f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "x"}, format="json")

    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.SUBMITTED


def test_an_expired_token_fails_and_its_expiry_is_audited(cast):
    token, secret = tokens.api_token_issue(actor=cast.applicant, name="Old", scope=TokenScope.READ, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    assert api(secret).get("/api/v1/requests/").status_code == 401
    assert tokens.api_tokens_expire() == 1

    event = AuditEvent.objects.get(action="api_token.expire")
    assert (event.actor_id, event.data["token_id"]) == (None, token.pk)
    assert not ApiToken.objects.exists()


def test_staff_create_tokens_only_from_a_session_that_passed_the_second_factor(client, unverified_client, cast):
    unverified_client.force_login(cast.reviewer)
    assert unverified_client.post(reverse("token-list"), {"name": "x", "scope": "read", "days": "1"}).status_code == 302
    client.force_login(cast.reviewer)
    assert client.post(reverse("token-list"), {"name": "x", "scope": "read", "days": "1"}).status_code == 200
    assert ApiToken.objects.filter(user=cast.reviewer).count() == 1
