"""HHS reviews past their target: the reviewer (or, before assignment, intake) is told once.

Run by the Celery beat task `ratings.tasks.notify_overdue_reviews`. A request waiting for the
applicant (a question or a return) is not the reviewer's to move, so it is left out. The notice
key names the due day: one notice per due day, and a later due day (after a wait for the
applicant moved it) that passes too is told again. Each escalation is audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from ratings import audit_actions
from ratings.clock import review_clock
from ratings.constants import NotificationKind, RequestState
from ratings.models import Notification, RatingRequest
from ratings.selectors.requests import overdue_review_requests
from ratings.services.notifications.outbox import notify_many
from ratings.services.requests.notices import intake_analysts

WAITING_FOR_APPLICANT = [RequestState.INFO_REQUESTED, RequestState.RETURNED]


def _escalate(rating_request: RatingRequest, now: dt.datetime) -> list[Notification]:
    clock = review_clock(rating_request, now=now)
    if clock is None or not clock.overdue:
        return []
    key_prefix = f"rating_request:{rating_request.pk}:review_overdue:{clock.due_on.isoformat()}"
    if Notification.objects.filter(key__startswith=key_prefix).exists():
        return []
    reviewer = rating_request.assigned_reviewer
    recipients = [reviewer] if reviewer is not None and reviewer.is_active else intake_analysts()
    with transaction.atomic():
        rows = notify_many(
            recipients=recipients,
            kind=NotificationKind.REVIEW_OVERDUE,
            subject=f"{rating_request.reference}: HHS review overdue (due {clock.due_on.isoformat()})",
            template="review_overdue",
            context={
                "request": rating_request,
                "clock": clock,
                "state": rating_request.get_state_display(),
                "target": settings.REVIEW_TARGET_WORKING_DAYS,
            },
            key_prefix=key_prefix,
            target=rating_request,
        )
        audit.record(
            action=audit_actions.REQUEST_REVIEW_OVERDUE,
            actor=None,
            target=rating_request,
            reference=rating_request.reference,
            organization_id=rating_request.applicant_organization_id,
            from_state=rating_request.state,
            to_state=rating_request.state,
            data={"due_on": clock.due_on.isoformat(), "told": [user.get_username() for user in recipients]},
        )
    return rows


def review_overdue_notify(*, now: dt.datetime | None = None) -> list[int]:
    """Tell the reviewer of every overdue review not told yet for its due day; the ids written."""
    now = now or timezone.now()
    late = (
        overdue_review_requests(now=now)
        .exclude(state__in=WAITING_FOR_APPLICANT)
        .select_related("assigned_reviewer", "applicant_organization", "program")
        .prefetch_related("information_requests", "submissions")
        .order_by("submitted_at")
    )
    return [row.pk for rating_request in late for row in _escalate(rating_request, now)]
