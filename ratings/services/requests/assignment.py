"""Assigning reviewers: intake gives a request to a reviewer, one at a time or many at once.

Accepting a submitted request for review assigns its first reviewer (services.requests.workflow);
here intake reassigns an open review, or assigns a batch. A reviewer declared conflicted with the
requesting organization is refused (and the refusal audited), as is anyone who is not a reviewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dpa_portal.errors import ApplicationError, InvalidState, ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import REASSIGNABLE_STATES, RequestState
from ratings.models import RatingRequest, User
from ratings.services import transition
from ratings.services.requests import notices as request_notices
from ratings.services.requests.checks import check_reviewer
from ratings.services.requests.workflow import rating_request_accept_for_review

ASSIGN = transition.Action(
    audit=audit_actions.REQUEST_ASSIGN,
    permission=permissions.request_rule("assign"),
    states=REASSIGNABLE_STATES,
    state_message="{noun} {reference} is {state}; a reviewer is reassigned only while the review is open.",
)


def rating_request_assign(
    *, rating_request: RatingRequest, actor: User, reviewer: User | None, expected_version: int | None = None
) -> RatingRequest:
    """Give an open review to another reviewer; the new reviewer is told."""

    def apply(locked: RatingRequest) -> transition.Applied:
        if locked.assigned_reviewer_id is None:
            raise InvalidState(f"Request {locked.reference} has no reviewer yet: accept it for review first.")
        check_reviewer(locked, reviewer)
        assert reviewer is not None  # check_reviewer refused otherwise
        if reviewer.pk == locked.assigned_reviewer_id:
            raise ValidationFailed(f"{reviewer.printed_name} already reviews this request.", field="reviewer")
        previous = locked.assigned_reviewer
        locked.assigned_reviewer = reviewer
        return transition.Applied(
            data={
                "reviewer": reviewer.get_username(),
                "previous_reviewer": previous.get_username() if previous else "",
            },
            then=lambda: request_notices.notify_request_transition(rating_request=locked, action="assign", actor=actor),
        )

    return transition.perform(
        transition.REQUEST, ASSIGN, target=rating_request, actor=actor, apply=apply, expected_version=expected_version
    )


@dataclass
class BulkAssignment:
    assigned: list[str] = field(default_factory=list)  # references
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def rating_requests_assign_bulk(
    *, rating_requests: Iterable[RatingRequest], actor: User, reviewer: User | None
) -> BulkAssignment:
    """Assign many requests to one reviewer: submitted ones are accepted for review, open reviews
    reassigned. Each request is its own transaction and audit event; one that cannot be assigned
    is reported and the others go ahead."""
    refusal = permissions.assignment_refusal(actor)
    if refusal:
        transition.record_refusal(action=audit_actions.REQUEST_ASSIGN, actor=actor, message=refusal)
    result = BulkAssignment()
    for rating_request in rating_requests:
        try:
            if rating_request.state == RequestState.SUBMITTED:
                rating_request_accept_for_review(rating_request=rating_request, actor=actor, reviewer=reviewer)
            else:
                rating_request_assign(rating_request=rating_request, actor=actor, reviewer=reviewer)
        except ApplicationError as error:
            result.refused.append((rating_request.reference, error.message))
        else:
            result.assigned.append(rating_request.reference)
    return result
