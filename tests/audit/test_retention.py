"""Retention: events past retention go to a signed archive first."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from audit import exports
from audit.models import ArchiveRecord, AuditEvent
from tests.audit.helpers import bulk_events

pytestmark = pytest.mark.django_db


def test_archive_writes_signed_export_of_events_past_retention(settings, tmp_path):
    settings.RECORD_RETENTION_YEARS = 3
    old = timezone.now() - dt.timedelta(days=4 * 365)
    bulk_events(5, occurred_at=old)
    bulk_events(3)  # recent: kept out
    out = io.StringIO()
    call_command("audit_archive", "--out-dir", str(tmp_path), stdout=out)
    record = ArchiveRecord.objects.get()
    assert (record.first_sequence, record.last_sequence, record.event_count) == (1, 5, 5)
    path = Path(record.path)
    manifest_bytes = exports.manifest_path(path).read_bytes()
    assert exports.verify_export(manifest_bytes, path.read_bytes()) == []
    assert json.loads(manifest_bytes)["last_sequence"] == 5
    archived = AuditEvent.objects.get(action="audit.archive")
    assert archived.data["sha256"] == record.sha256
    call_command("audit_archive", "--out-dir", str(tmp_path), stdout=out)
    assert ArchiveRecord.objects.count() == 1
    assert out.getvalue().endswith("No events past retention left to archive.\n")
    with pytest.raises(DatabaseError, match="audit_archiverecord is append-only"), transaction.atomic():
        ArchiveRecord.objects.all().delete()
