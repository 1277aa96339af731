"""HHS staff notices, each recipient's preference, the daily digest and overdue reviews."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed
from ratings.constants import NotificationKind, NotificationStatus, RequestState
from ratings.models import InformationRequest, Notification, NotificationPreference, RatingRequest
from ratings.services.notifications import digest, preferences
from ratings.services.requests import overdue, workflow
from tests.factories import request_in_state

S = RequestState
NY = ZoneInfo("America/New_York")


def kinds_to(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_intake_hears_of_new_submissions_and_withdrawals_the_reviewer_of_answers(cast):
    rr = request_in_state(cast, S.INFO_REQUESTED)
    workflow.rating_request_respond(rating_request=rr, actor=cast.applicant, response="Quote attached.")
    workflow.rating_request_withdraw(
        rating_request=RatingRequest.objects.get(pk=rr.pk), actor=cast.applicant, reason="Delivered."
    )

    assert kinds_to(cast.intake) == [NotificationKind.REQUEST_SUBMITTED]
    assert kinds_to(cast.reviewer) == [
        NotificationKind.REVIEW_ASSIGNED,
        NotificationKind.INFORMATION_PROVIDED,
        NotificationKind.REQUEST_WITHDRAWN,
    ]
    new = Notification.objects.get(recipient=cast.intake)
    assert new.subject == f"{rr.reference}: new submission from Acme Vaccines"
    assert new.link == f"http://127.0.0.1:8000/admin/ratings/ratingrequest/{rr.pk}/change/"
    withdrawn = Notification.objects.get(kind=NotificationKind.REQUEST_WITHDRAWN)
    assert "Reason given: Delivered." in withdrawn.body_text


def test_a_draft_withdrawn_before_submission_tells_hhs_nothing(cast):
    request_in_state(cast, S.WITHDRAWN)
    assert Notification.objects.filter(recipient__in=[cast.intake, cast.reviewer]).count() == 0


def test_preferences_hold_optional_notices_for_the_digest_or_keep_them_in_the_app(
    cast, mail_cleared, django_capture_on_commit_callbacks
):
    preferences.notification_preferences_set(
        user=cast.intake, actor=cast.intake, choices={"request_activity": "digest"}
    )
    preferences.notification_preferences_set(
        user=cast.reviewer, actor=cast.reviewer, choices={"request_activity": "off"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_in_state(cast, S.IN_REVIEW)

    held = Notification.objects.get(recipient=cast.intake)
    assigned = Notification.objects.get(recipient=cast.reviewer)
    assert (held.kind, held.status) == (NotificationKind.REQUEST_SUBMITTED, NotificationStatus.HELD)
    assert (assigned.kind, assigned.status) == (NotificationKind.REVIEW_ASSIGNED, NotificationStatus.IN_APP)
    assert {m.to[0] for m in mail.outbox} == {cast.applicant.email}  # only the applicant's, at once
    event = AuditEvent.objects.get(action="notification.preferences", actor=cast.intake)
    assert event.changes == {"request_activity": ["immediate", "digest"]}


def test_notices_the_rules_require_ignore_the_preference(cast, django_capture_on_commit_callbacks):
    for category in preferences.preferences_of(cast.applicant):
        NotificationPreference.objects.create(user=cast.applicant, category=category, delivery="off")
    with django_capture_on_commit_callbacks(execute=True):
        request_in_state(cast, S.INFO_REQUESTED)
    asked = Notification.objects.get(kind=NotificationKind.INFORMATION_REQUESTED)
    assert asked.status == NotificationStatus.SENT
    received = Notification.objects.get(kind=NotificationKind.REQUEST_STATUS, key__contains=":v2:")
    assert received.status == NotificationStatus.IN_APP  # "request received" is optional


def test_an_unknown_category_or_delivery_is_a_field_error(cast):
    with pytest.raises(ValidationFailed, match="not a category of optional notices"):
        preferences.notification_preferences_set(user=cast.intake, actor=cast.intake, choices={"required": "off"})
    with pytest.raises(ValidationFailed, match="choose at once, daily digest or no e-mail"):
        preferences.notification_preferences_set(user=cast.intake, actor=cast.intake, choices={"overdue": "weekly"})
    assert NotificationPreference.objects.count() == 0


@pytest.fixture
def mail_cleared():
    mail.outbox.clear()


def at(y: int, m: int, d: int, hour: int) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=NY)


def test_the_digest_goes_once_a_day_from_the_digest_hour_with_every_held_notice(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DIGEST_HOUR = 7
    preferences.notification_preferences_set(
        user=cast.intake, actor=cast.intake, choices={"request_activity": "digest"}
    )
    first, second = request_in_state(cast, S.SUBMITTED), request_in_state(cast, S.SUBMITTED)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        too_early = digest.notification_digests_send(now=at(2026, 12, 3, 6))
        sent = digest.notification_digests_send(now=at(2026, 12, 3, 7))
        again = digest.notification_digests_send(now=at(2026, 12, 3, 9))

    assert (too_early, len(sent), again) == ([], 1, [])
    row = Notification.objects.get(pk=sent[0])
    assert (row.kind, row.key, row.status) == (
        NotificationKind.DIGEST,
        f"digest:user{cast.intake.pk}:2026-12-03",
        "sent",
    )
    assert [m.subject for m in mail.outbox] == ["Daily digest: 2 notices (2026-12-03)"]
    body = mail.outbox[0].body
    assert f"{first.reference}: new submission from Acme Vaccines" in body
    assert f"{second.reference}: new submission from Acme Vaccines" in body
    carried = Notification.objects.filter(digest=row)
    assert sorted(carried.values_list("status", flat=True)) == [NotificationStatus.DIGESTED] * 2


def test_a_notice_held_after_the_days_digest_waits_for_the_next_day(cast, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_DIGEST_HOUR = 7
    preferences.notification_preferences_set(
        user=cast.intake, actor=cast.intake, choices={"request_activity": "digest"}
    )
    request_in_state(cast, S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        digest.notification_digests_send(now=at(2026, 12, 3, 8))
        late = request_in_state(cast, S.SUBMITTED)
        same_day = digest.notification_digests_send(now=at(2026, 12, 3, 18))
        next_day = digest.notification_digests_send(now=at(2026, 12, 4, 7))
    assert same_day == []
    assert Notification.objects.get(pk=next_day[0]).digested.get().object_id == str(late.pk)


def test_an_overdue_review_tells_the_reviewer_once_per_due_day_and_is_audited(cast):
    rr = request_in_state(cast, S.IN_REVIEW)
    RatingRequest.objects.filter(pk=rr.pk).update(submitted_at=at(2026, 11, 25, 10))
    now = at(2026, 12, 11, 9)  # due Thursday Dec 10

    first = overdue.review_overdue_notify(now=now)
    second = overdue.review_overdue_notify(now=now + dt.timedelta(hours=3))

    assert len(first) == 1 and second == []
    notice = Notification.objects.get(pk=first[0])
    assert (notice.recipient, notice.kind) == (cast.reviewer, NotificationKind.REVIEW_OVERDUE)
    assert notice.subject == f"{rr.reference}: HHS review overdue (due 2026-12-10)"
    event = AuditEvent.objects.get(action="rating_request.review_overdue")
    assert (event.reference, event.data["due_on"], event.data["told"]) == (
        rr.reference,
        "2026-12-10",
        [cast.reviewer.username],
    )


def test_a_review_waiting_for_the_applicant_is_not_escalated(cast):
    rr = request_in_state(cast, S.INFO_REQUESTED)
    RatingRequest.objects.filter(pk=rr.pk).update(submitted_at=at(2026, 11, 25, 10))
    InformationRequest.objects.filter(request=rr).update(asked_at=at(2026, 12, 14, 10))
    assert overdue.review_overdue_notify(now=at(2026, 12, 20, 9)) == []


def test_beat_runs_the_digest_and_the_overdue_review_check(settings):
    assert settings.CELERY_BEAT_SCHEDULE["notification-digests"]["task"] == "ratings.tasks.send_notification_digests"
    assert settings.CELERY_BEAT_SCHEDULE["review-overdue-notices"]["task"] == "ratings.tasks.notify_overdue_reviews"
