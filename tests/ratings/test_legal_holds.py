"""Legal holds on rating requests: placed and released only by holders of the permission,
audited (refusals too); nothing disposable before retention, while on hold, or before archive."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import retention
from audit.models import AuditEvent, LegalHold
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import RequestState
from ratings.selectors import holds as hold_selectors
from ratings.services.requests import holds
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
    hold = holds.rating_request_hold_place(rating_request=rr, actor=counsel, reason="Litigation 26-1234")
    assert hold_selectors.request_active_hold(rr) == hold
    assert list(
        AuditEvent.objects.filter(sequence__gt=head).values_list("action", "outcome", "reason", "reference")
    ) == [("legal_hold.place", "success", "Litigation 26-1234", rr.reference)]
    holds.rating_request_hold_release(rating_request=rr, actor=counsel, reason="Case closed")
    hold.refresh_from_db()
    assert hold.released_by == counsel and hold.release_reason == "Case closed" and hold.released_at is not None
    assert hold_selectors.request_active_hold(rr) is None
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
        holds.rating_request_hold_place(rating_request=rr, actor=actor, reason="x")
    assert LegalHold.objects.count() == 0
    assert list(AuditEvent.objects.filter(sequence__gt=head).values_list("action", "outcome")) == [
        ("legal_hold.place", "denied")
    ]
    assert callbacks == []


def test_hold_needs_a_reason_and_cannot_be_doubled(counsel, rr):
    head = _head()
    with pytest.raises(ValidationFailed):
        holds.rating_request_hold_place(rating_request=rr, actor=counsel, reason="  ")
    assert _head() == head
    holds.rating_request_hold_place(rating_request=rr, actor=counsel, reason="Matter A")
    head = _head()
    with pytest.raises(InvalidState):
        holds.rating_request_hold_place(rating_request=rr, actor=counsel, reason="Matter B")
    assert LegalHold.objects.count() == 1 and _head() == head


def test_nothing_disposable_before_retention_or_while_on_hold_or_before_archive(settings, counsel, rr, tmp_path):
    settings.RECORD_RETENTION_YEARS = 3
    now = timezone.now()
    ok, why = hold_selectors.request_may_dispose(rr, now)
    assert (ok, why) == (False, f"Retained until {hold_selectors.request_retention_date(rr):%Y-%m-%d}.")
    later = now + dt.timedelta(days=3 * 366 + 1)
    ok, why = hold_selectors.request_may_dispose(rr, later)
    assert (ok, why) == (False, "Its audit events have not been archived yet (manage.py audit_archive).")
    retention.archive(tmp_path, now=later)
    assert hold_selectors.request_may_dispose(rr, later) == (True, "")
    holds.rating_request_hold_place(rating_request=rr, actor=counsel, reason="Litigation")
    assert hold_selectors.request_may_dispose(rr, later) == (False, "A legal hold is active on this request.")


def test_legal_hold_command(cast, counsel, rr):
    call_command(
        "audit_legal_hold", "place", rr.reference, "--by", counsel.username, "--reason", "Matter", stdout=io.StringIO()
    )
    assert hold_selectors.request_active_hold(rr) is not None
    with pytest.raises(CommandError, match="Auditors have read-only access"):
        call_command("audit_legal_hold", "release", rr.reference, "--by", cast.auditor.username, "--reason", "x")
    assert hold_selectors.request_active_hold(rr) is not None


def test_a_hold_is_no_edit_of_the_request(counsel, rr):
    version, state = rr.version, rr.state
    hold = holds.rating_request_hold_place(rating_request=rr, actor=counsel, reason="Matter")
    rr.refresh_from_db()
    assert (rr.version, rr.state) == (version, state)  # an open form on the request stays valid
    assert (hold.object_type, hold.object_id, hold.reference) == ("ratings.RatingRequest", str(rr.pk), rr.reference)
    event = AuditEvent.objects.get(action="legal_hold.place")
    assert (event.object_type, event.object_id, event.data) == (
        "ratings.RatingRequest",
        str(rr.pk),
        {"hold_id": hold.pk},
    )


def test_release_without_an_active_hold_changes_nothing(counsel, rr):
    head = _head()
    with pytest.raises(InvalidState) as missing:
        holds.rating_request_hold_release(rating_request=rr, actor=counsel, reason="Case closed")
    with pytest.raises(ValidationFailed) as blank:
        holds.rating_request_hold_release(rating_request=rr, actor=counsel, reason="")
    assert (missing.value.message, blank.value.message) == (
        f"Request {rr.reference} has no active legal hold.",
        "Say why the hold is released.",
    )
    assert _head() == head and LegalHold.objects.count() == 0
