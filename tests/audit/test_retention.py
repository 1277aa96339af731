"""Retention and legal holds: nothing disposable before retention or while on hold; archive first."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from audit import exports, retention
from audit.models import ArchiveRecord, AuditEvent, LegalHold
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import RequestState
from tests.audit.helpers import bulk_events
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsel(cast):
    cast.hhsadmin.user_permissions.add(Permission.objects.get(codename="place_legalhold"))
    return cast.hhsadmin


@pytest.fixture
def rr(cast):
    return request_in_state(cast, RequestState.APPROVED)


def _head() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def test_place_and_release_hold_are_audited(cast, counsel, rr):
    head = _head()
    hold = retention.place_hold(request=rr, actor=counsel, reason="Litigation 26-1234")
    assert retention.active_hold(rr) == hold
    assert list(
        AuditEvent.objects.filter(sequence__gt=head).values_list("action", "outcome", "reason", "reference")
    ) == [("legal_hold.place", "success", "Litigation 26-1234", rr.reference)]
    retention.release_hold(request=rr, actor=counsel, reason="Case closed")
    hold.refresh_from_db()
    assert hold.released_by == counsel and hold.release_reason == "Case closed" and hold.released_at is not None
    assert retention.active_hold(rr) is None
    assert (
        AuditEvent.objects.filter(sequence__gt=head).order_by("sequence").values_list("action", flat=True).last()
        == "legal_hold.release"
    )


@pytest.mark.parametrize("who", ["auditor", "reviewer"])
def test_hold_refused_without_permission_writes_one_denial(cast, rr, who, django_capture_on_commit_callbacks):
    actor = getattr(cast, who)
    if who == "auditor":
        actor.user_permissions.add(Permission.objects.get(codename="place_legalhold"))  # even with it
    head = _head()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionRefused):
        retention.place_hold(request=rr, actor=actor, reason="x")
    assert LegalHold.objects.count() == 0
    assert list(AuditEvent.objects.filter(sequence__gt=head).values_list("action", "outcome")) == [
        ("legal_hold.place", "denied")
    ]
    assert callbacks == []


def test_hold_needs_a_reason_and_cannot_be_doubled(counsel, rr):
    head = _head()
    with pytest.raises(ValidationFailed):
        retention.place_hold(request=rr, actor=counsel, reason="  ")
    assert _head() == head
    retention.place_hold(request=rr, actor=counsel, reason="Matter A")
    head = _head()
    with pytest.raises(InvalidState):
        retention.place_hold(request=rr, actor=counsel, reason="Matter B")
    assert LegalHold.objects.count() == 1 and _head() == head


def test_nothing_disposable_before_retention_or_while_on_hold_or_before_archive(settings, counsel, rr, tmp_path):
    settings.RECORD_RETENTION_YEARS = 3
    now = timezone.now()
    ok, why = retention.may_dispose(rr, now)
    assert (ok, why) == (False, f"Retained until {retention.retention_date(rr):%Y-%m-%d}.")
    later = now + dt.timedelta(days=3 * 366 + 1)
    ok, why = retention.may_dispose(rr, later)
    assert (ok, why) == (False, "Its audit events have not been archived yet (manage.py audit_archive).")
    retention.archive(tmp_path, now=later)
    assert retention.may_dispose(rr, later) == (True, "")
    retention.place_hold(request=rr, actor=counsel, reason="Litigation")
    assert retention.may_dispose(rr, later) == (False, "A legal hold is active on this request.")


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


def test_legal_hold_command(cast, counsel, rr):
    call_command(
        "audit_legal_hold", "place", rr.reference, "--by", counsel.username, "--reason", "Matter", stdout=io.StringIO()
    )
    assert retention.active_hold(rr) is not None
    with pytest.raises(CommandError, match="Auditors have read-only access"):
        call_command("audit_legal_hold", "release", rr.reference, "--by", cast.auditor.username, "--reason", "x")
    assert retention.active_hold(rr) is not None
