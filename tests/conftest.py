"""Shared fixtures. Tests run on real PostgreSQL (settings.test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from audit.actions import register
from ratings.clock import forget_closure_days
from ratings.documents.signing import ensure_dev_certificate
from tests.factories import Cast, make_cast

# Actions that only tests record (the registry refuses unregistered names).
for _name in ("test.event", "bench.event", "x.denied", "x.note", "x.other", "rated_order.sign"):
    register(_name, f"Test action {_name}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let Django empty tables between transactional tests.

    The audit table refuses TRUNCATE unless the session sets dpa.audit_truncate = 'allowed'
    (migration audit/0003); only the test database gets that default.
    """
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE \"{name}\" SET dpa.audit_truncate = 'allowed'")
                cursor.execute("SET dpa.audit_truncate = 'allowed'")
    yield


@pytest.fixture(scope="session")
def signing_pair(tmp_path_factory) -> tuple[Path, Path]:
    """A development X.509 pair for PAdES-signing rated orders in tests."""
    folder = tmp_path_factory.mktemp("signing")
    cert, key = folder / "cert.pem", folder / "key.pem"
    ensure_dev_certificate(cert, key, common_name="DPA Portal TEST")
    return cert, key


@pytest.fixture(autouse=True)
def _signing_settings(settings, signing_pair):
    # Every test that approves a request can generate its signed documents.
    settings.DOCUMENT_SIGNING_CERT, settings.DOCUMENT_SIGNING_KEY = signing_pair


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit and lockout counters live in the cache, closure days in a per-process memo:
    each test starts with none."""
    cache.clear()
    forget_closure_days()


@pytest.fixture
def cast(db) -> Cast:
    """One user per role, organizations for each (see tests/factories.py)."""
    return make_cast()


class SecondFactorClient(Client):
    """Signs in (login or force_login) as a person who also passed their second factor, as every
    signed-in HHS user has (tests of the second factor itself use `unverified_client`)."""

    def _login(self, user, backend=None):
        super()._login(user, backend)
        device = next(iter(devices_for_user(user, confirmed=True)), None)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> Client:
    return SecondFactorClient()


@pytest.fixture
def unverified_client() -> Client:
    return Client()
