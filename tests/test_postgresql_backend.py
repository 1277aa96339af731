"""The database backend reads `timestamptz` values with the standard library's parser and gives
exactly what Django's own loader gives (the same instants, in UTC), refusing what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

pytestmark = pytest.mark.django_db

VALUES = [
    "2026-12-02 07:46:01.123456+00",
    "2026-12-02 07:46:01+00",
    "2026-12-02 07:46:01.5+00",
    "2024-02-29 23:59:59.000001+00",
    "2026-03-08 07:00:00+00",  # the agency zone's change to summer time
    "1969-12-31 23:59:59.999999+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
SQL = "SELECT " + ", ".join(["%s::timestamptz"] * len(VALUES)) + ", now(), now() - interval '17 days 3.25 seconds'"


def read(*, django_loader: bool) -> tuple[dt.datetime, ...]:
    with connection.cursor() as cursor:
        if django_loader:
            register_tzloader(dt.UTC, cursor.cursor)
        cursor.execute("SELECT now()::text")  # inside the test's transaction: now() is fixed
        cursor.execute(SQL, VALUES)
        return tuple(cursor.fetchone())


def test_timestamps_read_as_djangos_loader_reads_them():
    ours, djangos = read(django_loader=False), read(django_loader=True)
    assert ours == djangos
    assert all(value.tzinfo is dt.UTC for value in ours)
    assert ours[0] == dt.datetime(2026, 12, 2, 7, 46, 1, 123456, tzinfo=dt.UTC)
    assert ours[2].microsecond == 500000


@pytest.mark.parametrize("value", ["infinity", "-infinity", "0001-01-01 00:00:00 BC"])
def test_what_python_cannot_hold_is_refused_as_before(value):
    with connection.cursor() as cursor, pytest.raises(DataError):
        cursor.execute("SELECT %s::timestamptz", [value])
        cursor.fetchone()
