"""Finding 5: behind a proxy everything used the proxy's address; rate limits were per worker;
a client's X-Request-ID was stored verbatim; resets were not limited; a locked-out flood wrote
two rows per attempt."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from audit.models import AuditEvent
from dpa_portal.net import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("trusted", "forwarded", "peer", "client"),
    [
        (["0"], "6.6.6.6", "198.51.100.7", "198.51.100.7"),  # no proxy: the header is a lie
        (["1"], "6.6.6.6, 203.0.113.9", "10.0.0.2", "203.0.113.9"),  # one proxy appended the client
        (["2"], "203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),
        (["10.0.0.0/8"], "6.6.6.6, 203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),
        (["10.0.0.0/8"], "6.6.6.6", "198.51.100.7", "198.51.100.7"),  # not through our proxy
    ],
)
def test_the_client_address_comes_only_through_trusted_hops(settings, trusted, forwarded, peer, client):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=peer)
    assert client_address(request) == client


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, TRUSTED_PROXIES=["1"])
def test_behind_the_proxy_one_persons_typos_lock_out_only_that_person_from_that_address(client, cast):
    behind_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(3):
        client.post(
            "/accounts/login/",
            {"username": cast.applicant.username, "password": "no"},
            HTTP_X_FORWARDED_FOR="203.0.113.1",
            **behind_proxy,
        )

    locked = client.post(
        "/accounts/login/",
        {"username": cast.applicant.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.1",
        **behind_proxy,
    )
    other_user = client.post(
        "/accounts/login/",
        {"username": cast.applicant2.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.1",
        **behind_proxy,
    )

    assert locked.status_code == 429
    assert other_user.status_code == 302
    event = AuditEvent.objects.filter(action="auth.login_failed").latest("sequence")
    assert event.client_address == "203.0.113.1"


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, LOGIN_RATE_LIMIT="1000/m")
def test_attempts_while_locked_out_are_counted_not_recorded_one_by_one(client, cast):
    for _ in range(3 + 100):
        client.post("/accounts/login/", {"username": cast.applicant.username, "password": "no"})

    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 3
    lockouts = list(AuditEvent.objects.filter(action="auth.locked_out").order_by("sequence"))
    assert [e.data["attempts_while_locked"] for e in lockouts] == [0, 9, 99]


def test_rate_limits_are_shared_by_every_worker_in_redis(settings, client):
    settings.CACHES = {
        "default": {
            "BACKEND": "dpa_portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.VERIFY_RATE_LIMIT = "30/m"
    statuses = []
    for _ in range(40):
        caches.close_all()  # as if each request reached a different worker
        statuses.append(client.get("/verify/", REMOTE_ADDR="198.51.100.9").status_code)
    assert statuses.count(429) == 10


def test_production_keeps_rate_limits_in_redis():
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update(SECRET_KEY="x" * 60, DATABASE_URL="sqlite:///:memory:")
    code = "from dpa_portal.settings import production as p; print(p.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "dpa_portal.cache.ResilientRedisCache"


def test_anonymous_and_bad_token_api_calls_are_throttled(settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/minute", "user": "600/minute"},
    }
    settings.API_THROTTLE_BAD_TOKEN = "3/minute"
    anonymous = [APIClient().get("/api/v1/requests/", REMOTE_ADDR="198.51.100.20").status_code for _ in range(7)]
    guessing = APIClient()
    guessing.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef")
    guesses = [guessing.get("/api/v1/requests/", REMOTE_ADDR="198.51.100.21") for _ in range(5)]

    assert anonymous == [401] * 5 + [429] * 2
    assert [r.status_code for r in guesses] == [401, 401, 401, 429, 429]
    assert guesses[-1]["Retry-After"]


def test_password_resets_are_limited_and_audited(client, cast):
    statuses = [client.post("/accounts/password-reset/", {"email": cast.applicant.email}).status_code for _ in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    assert AuditEvent.objects.filter(action="account.password_reset_request").count() == 5


def test_a_password_change_is_audited(client, cast):
    client.force_login(cast.applicant)
    new = "another long password 9931"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="account.password_change")
    assert (event.actor_id, event.outcome) == (cast.applicant.pk, "success")


@pytest.mark.parametrize(("offered", "kept"), [("evil\nforged-id", False), (str(uuid.uuid4()), True)])
def test_request_ids_are_made_by_the_server_unless_a_uuid_is_offered(client, cast, offered, kept):
    client.force_login(cast.applicant)
    response = client.get("/portal/", HTTP_X_REQUEST_ID=offered)
    assert (response["X-Request-ID"] == offered) is kept
    uuid.UUID(response["X-Request-ID"])


def test_a_password_reset_through_the_link_is_audited(client, cast):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(cast.applicant.pk))
    token = default_token_generator.make_token(cast.applicant)
    form_url = client.get(f"/accounts/reset/{uid}/{token}/")["Location"]
    new = "a brand new password 5150"

    done = client.post(form_url, {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    event = AuditEvent.objects.get(action="account.password_reset")
    assert (event.actor_id, event.outcome) == (cast.applicant.pk, "success")
    cast.applicant.refresh_from_db()
    assert cast.applicant.check_password(new)
