"""What every signed-in request reads, read cheaply without weakening a check: the session's
user and second-factor device by queries compiled once, whether a person has any device in one
statement, an API token with its user and their memberships in one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from ratings import second_factor
from ratings.constants import TokenScope
from ratings.models import Membership, Organization
from ratings.services.accounts.tokens import api_token_issue
from tests.factories import draft_request

pytestmark = pytest.mark.django_db


def test_whether_someone_has_a_device_is_one_statement_over_every_kind(cast):
    user = cast.applicant
    TOTPDevice.objects.filter(user=user).delete()
    with CaptureQueriesContext(connection) as queries:
        assert second_factor.has_any(user) is False
    assert len(queries) == 1
    StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=False)
    assert second_factor.has_any(user) is False  # an unconfirmed device is none
    StaticDevice.objects.filter(user=user).update(confirmed=True)
    assert second_factor.has_any(user) is True
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.create(
        user=user, name="Passkey", confirmed=True, credential_id=b"x" * 16, public_key=b"k", aaguid="0" * 32
    )
    assert second_factor.has_any(user) is True


def test_a_verified_session_reads_session_user_and_device_once_each(client, cast):
    client.force_login(cast.auditor)
    client.get("/audit/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/audit/").status_code == 200
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries if " FROM " in q["sql"]]
    assert tables[:3] == ['"django_session"', '"ratings_user"', '"otp_totp_totpdevice"']


def test_a_session_whose_device_is_gone_or_someone_elses_is_no_longer_verified(client, cast):
    client.force_login(cast.auditor)
    assert client.get("/audit/").status_code == 200
    session = client.session
    other = TOTPDevice.objects.get(user=cast.reviewer)
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    assert client.get("/audit/")["Location"].startswith("/accounts/mfa/verify/")
    client.force_login(cast.auditor)
    TOTPDevice.objects.filter(user=cast.auditor).delete()
    assert client.get("/audit/")["Location"].startswith("/accounts/mfa/setup/")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "otp_totp.totpdevice/not-a-number"
    session.save()
    assert client.get("/audit/")["Location"].startswith("/accounts/mfa/setup/")


def test_a_deactivated_persons_session_signs_nobody_in(client, cast):
    client.force_login(cast.auditor)
    assert client.get("/audit/").status_code == 200
    type(cast.auditor).objects.filter(pk=cast.auditor.pk).update(is_active=False)
    assert client.get("/audit/")["Location"].startswith("/accounts/login/")


def test_a_token_is_read_with_its_user_and_memberships_in_one_statement_and_a_wrong_one_is_refused(cast, client):
    _, secret = api_token_issue(actor=cast.applicant, name="ci", scope=TokenScope.READ)
    api = type(client)()
    api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {secret}")
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    # The token with its user and their memberships, then the page.
    assert len(queries) == 2
    assert '"ratings_apitoken"' in queries[0]["sql"] and '"ratings_membership"' in queries[0]["sql"]
    assert '"ratings_ratingrequest"' in queries[1]["sql"]
    wrong = secret[:-4] + ("0000" if not secret.endswith("0000") else "1111")  # same key prefix
    assert api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {wrong}").status_code == 401


def test_the_memberships_read_with_a_token_are_its_users_active_ones_at_each_call(cast, client):
    draft_request(cast)
    _, secret = api_token_issue(actor=cast.applicant, name="ci", scope=TokenScope.READ)
    _, other = api_token_issue(actor=cast.supplier, name="ci", scope=TokenScope.READ)
    api = type(client)()
    for token in (other, secret):  # the supplier's call leaves nothing behind for the applicant's
        response = api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    Membership.objects.filter(user=cast.applicant).update(is_active=False)
    response = api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert (response.status_code, response.json()["results"]) == (200, [])
    Membership.objects.filter(user=cast.applicant).update(is_active=True)
    Organization.objects.filter(pk=cast.manufacturer.pk).update(is_active=False)
    response = api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert (response.status_code, response.json()["results"]) == (200, [])
