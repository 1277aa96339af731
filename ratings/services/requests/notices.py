"""Which notices a rating-request transition sends, and to whom.

Called once by services.workflow._perform, inside the transition's transaction, after its
audit event: the notices commit or roll back with the transition. Internal HHS steps
(recommend, return for rework) tell the applicant nothing: the recommendation is deliberative.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from ratings.constants import NotificationKind, Role
from ratings.models import Notification, RatingRequest, User
from ratings.services.notifications.outbox import notify_many


@dataclass(frozen=True)
class Notice:
    kind: str
    template: str
    subject: str  # formatted with reference and state
    audience: str  # "applicants" or "reviewer"


NOTICES: dict[str, list[Notice]] = {
    "submit": [
        Notice(NotificationKind.REQUEST_STATUS, "request_status", "{reference}: request received", "applicants")
    ],
    "accept_for_review": [
        Notice(NotificationKind.REQUEST_STATUS, "request_status", "{reference}: request in review", "applicants"),
        Notice(
            NotificationKind.REVIEW_ASSIGNED, "review_assigned", "{reference}: assigned to you for review", "reviewer"
        ),
    ],
    "request_information": [
        Notice(
            NotificationKind.INFORMATION_REQUESTED,
            "information_requested",
            "{reference}: HHS needs more information",
            "applicants",
        )
    ],
    "respond": [
        Notice(
            NotificationKind.INFORMATION_PROVIDED,
            "information_provided",
            "{reference}: the applicant answered",
            "reviewer",
        )
    ],
    "approve": [
        Notice(NotificationKind.REQUEST_DECISION, "request_decision", "{reference}: request approved", "applicants")
    ],
    "deny": [
        Notice(NotificationKind.REQUEST_DECISION, "request_decision", "{reference}: request denied", "applicants")
    ],
    "withdraw": [
        Notice(NotificationKind.REQUEST_STATUS, "request_status", "{reference}: request withdrawn", "applicants")
    ],
}


def applicant_recipients(rating_request: RatingRequest) -> list[User]:
    """The request's contact first, then the organization's other active applicants."""
    others = User.objects.filter(
        is_active=True,
        memberships__organization_id=rating_request.applicant_organization_id,
        memberships__role=Role.APPLICANT,
        memberships__is_active=True,
    ).order_by("pk")
    return [rating_request.applicant_contact, *others]


def notify_request_transition(*, rating_request: RatingRequest, action: str, actor: User) -> list[Notification]:
    """Write the notices of one transition (keys carry the request's new version)."""
    rows: list[Notification] = []
    latest_question = None
    if action == "request_information":
        latest_question = rating_request.information_requests.order_by("-asked_at", "-pk").first()
    for notice in NOTICES.get(action, []):
        if notice.audience == "reviewer":
            recipients = [rating_request.assigned_reviewer] if rating_request.assigned_reviewer else []
            link = reverse("admin:ratings_ratingrequest_change", args=[rating_request.pk])
        else:
            recipients = applicant_recipients(rating_request)
            link = ""  # no applicant portal page yet: the notice carries the facts itself
        rows += notify_many(
            recipients=recipients,
            kind=notice.kind,
            subject=notice.subject.format(reference=rating_request.reference),
            template=notice.template,
            context={
                "request": rating_request,
                "action": action,
                "state": rating_request.get_state_display(),
                "actor": actor,
                "question": latest_question.question if latest_question else "",
            },
            key_prefix=f"rating_request:{rating_request.pk}:v{rating_request.version}:{notice.kind}",
            target=rating_request,
            link=link,
        )
    return rows
