"""Shared fixtures. Tests run on real PostgreSQL (settings.test)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import Cast, make_cast


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


@pytest.fixture
def cast(db) -> Cast:
    """One user per role, organizations for each (see tests/factories.py)."""
    return make_cast()
