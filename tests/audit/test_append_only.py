"""The database itself refuses to change or remove audit rows, on PostgreSQL and on SQLite."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from audit import services as audit
from audit.models import AuditEvent

ROOT = Path(settings.BASE_DIR)


def _event() -> AuditEvent:
    return audit.record(action="test.event", actor=None, reason="original")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = 'changed' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_update_and_delete(db, statement):
    # given
    event = _event()

    # when/then
    with (
        pytest.raises(DatabaseError, match="audit_auditevent is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.reason, stored.hash) == ("original", event.hash)


def test_postgresql_refuses_update_through_the_orm(db):
    event = _event()

    with pytest.raises(DatabaseError, match="UPDATE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "original"


def test_postgresql_refuses_truncate_unless_the_session_allows_it(db):
    # given: only the test database sets dpa.audit_truncate = 'allowed' (to flush between tests)
    _event()

    # when/then: with the setting as production has it, TRUNCATE is refused
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL dpa.audit_truncate = 'refused'")
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_sqlite_refuses_update_and_delete(tmp_path):
    # given: the quick-start database, migrated from scratch, with one event recorded
    database = tmp_path / "audit.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dpa_portal.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "PRIVATE_STORAGE_ROOT": str(tmp_path / "private"),
    }
    _manage("migrate", "--no-input", "-v0", env=env)
    _manage(
        "shell",
        "-c",
        "from audit.actions import LOGIN; from audit.services import record; record(action=LOGIN, actor=None, reason='original')",
        env=env,
    )

    # when/then
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*), min(reason) FROM audit_auditevent").fetchone() == (1, "original")
        with pytest.raises(sqlite3.DatabaseError, match="append-only: UPDATE refused"):
            db.execute("UPDATE audit_auditevent SET reason = 'changed'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only: DELETE refused"):
            db.execute("DELETE FROM audit_auditevent")
        assert db.execute("SELECT count(*), min(reason) FROM audit_auditevent").fetchone() == (1, "original")
