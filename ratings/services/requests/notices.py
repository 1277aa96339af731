"""Which notices a rating-request transition sends, and to whom.

Called once per transition by services.requests.workflow.perform_request_action, inside the
transition's transaction, after its audit event: the notices commit or roll back with it.
Internal HHS steps (recommend, return for rework) tell the applicant nothing: the
recommendation is deliberative. HHS staff hear of what the applicant does: new and corrected
submissions and withdrawals go to intake (or, once assigned, to the reviewer), answers to the
reviewer; each recipient's preferences decide how (services.notifications.preferences), and
each is led to its own page of the request (services.notifications.links).
"""

from __future__ import annotations

from dataclasses import dataclass

from ratings.clock import reconsideration_due
from ratings.constants import NotificationKind, OrganizationKind, RequestState, Role
from ratings.models import ApprovalDecision, Notification, RatingRequest, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.webhooks import events


@dataclass(frozen=True)
class Notice:
    kind: str
    template: str
    subject: str  # formatted with reference and organization
    audience: str  # "applicants", "reviewer", "intake" or "handler" (the reviewer, else intake)


NOTICES: dict[str, list[Notice]] = {
    "submit": [
        Notice(NotificationKind.REQUEST_STATUS, "request_status", "{reference}: request received", "applicants"),
        Notice(NotificationKind.REQUEST_SUBMITTED, "staff_request", "{reference}: new submission from {org}", "intake"),
    ],
    "accept_for_review": [
        Notice(NotificationKind.REQUEST_STATUS, "request_status", "{reference}: request in review", "applicants"),
        Notice(
            NotificationKind.REVIEW_ASSIGNED, "review_assigned", "{reference}: assigned to you for review", "reviewer"
        ),
    ],
    "assign": [
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
    "return_for_correction": [
        Notice(
            NotificationKind.RETURNED_FOR_CORRECTION,
            "request_returned",
            "{reference}: HHS returned your request for correction",
            "applicants",
        )
    ],
    "resubmit": [
        Notice(
            NotificationKind.REQUEST_STATUS, "request_status", "{reference}: corrected request received", "applicants"
        ),
        Notice(
            NotificationKind.REQUEST_RESUBMITTED,
            "staff_request",
            "{reference}: corrected and resubmitted by {org}",
            "handler",
        ),
    ],
    "approve": [
        Notice(NotificationKind.REQUEST_DECISION, "request_decision", "{reference}: request approved", "applicants")
    ],
    "deny": [
        Notice(NotificationKind.REQUEST_DECISION, "request_decision", "{reference}: request denied", "applicants")
    ],
    "withdraw": [
        Notice(NotificationKind.REQUEST_STATUS, "request_status", "{reference}: request withdrawn", "applicants"),
        Notice(NotificationKind.REQUEST_WITHDRAWN, "staff_request", "{reference}: withdrawn by {org}", "handler"),
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


def intake_analysts() -> list[User]:
    """Active HHS intake analysts (who work the submissions nobody has accepted yet)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.INTAKE_ANALYST,
            memberships__is_active=True,
            memberships__organization__kind=OrganizationKind.AGENCY,
            memberships__organization__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def _recipients(rating_request: RatingRequest, audience: str) -> list[User]:
    reviewer = [rating_request.assigned_reviewer] if rating_request.assigned_reviewer else []
    if audience == "applicants":
        return applicant_recipients(rating_request)
    if audience == "reviewer":
        return reviewer
    if audience == "handler" and reviewer and rating_request.state != RequestState.SUBMITTED:
        return reviewer
    # A draft withdrawn before submission was never HHS's business.
    return intake_analysts() if rating_request.submitted_at else []


def notify_request_transition(*, rating_request: RatingRequest, action: str, actor: User) -> list[Notification]:
    """Write the notices of one transition (keys carry the request's new version), and the
    applicant organization's event for its systems."""
    events.request_changed(rating_request=rating_request, action=action)
    rows: list[Notification] = []
    latest_question = None
    if action == "request_information":
        latest_question = rating_request.information_requests.order_by("-asked_at", "-pk").first()
    reconsider_by = (
        reconsideration_due(decided_at=rating_request.decided_at)
        if action == "deny" and rating_request.decided_at
        else None
    )
    decision = ApprovalDecision.objects.filter(rating_request=rating_request).first() if action == "approve" else None
    for notice in NOTICES.get(action, []):
        rows += notify_many(
            recipients=_recipients(rating_request, notice.audience),
            kind=notice.kind,
            subject=notice.subject.format(
                reference=rating_request.reference, org=rating_request.applicant_organization.legal_name
            ),
            template=notice.template,
            context={
                "request": rating_request,
                "action": action,
                "state": rating_request.get_state_display(),
                "actor": actor,
                "question": latest_question.question if latest_question else "",
                "what": notice.subject.split(": ", 1)[-1].format(org=rating_request.applicant_organization.legal_name),
                "reconsider_by": reconsider_by,
                # The level approved may be lower than requested, and items left out or reduced.
                "rating": f"{decision.approved_level}-{rating_request.program.symbol}" if decision else "",
                "decision_lines": decision.lines() if decision else [],
            },
            key_prefix=f"rating_request:{rating_request.pk}:v{rating_request.version}:{notice.kind}",
            target=rating_request,
        )
    return rows
