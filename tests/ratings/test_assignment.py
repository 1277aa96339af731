"""Assigning reviewers (one, many), and conflicts of interest: never offered, refused, audited."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import NotificationKind, RequestState
from ratings.models import ConflictOfInterest, Notification, RatingRequest
from ratings.selectors import workqueue
from ratings.services.accounts import conflicts
from ratings.services.requests import assignment, workflow
from tests.factories import request_in_state
from tests.helpers import assert_refused, events_after, last_sequence

S = RequestState


def declare(cast, who=None, org=None):
    return conflicts.conflict_of_interest_declare(
        actor=cast.intake,
        staff_member=who or cast.reviewer2,
        organization=org or cast.manufacturer,
        reason="Worked for the organization until last year.",
    )


def test_intake_reassigns_an_open_review_and_the_new_reviewer_is_told(cast):
    rr = request_in_state(cast, S.IN_REVIEW)
    rr = assignment.rating_request_assign(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer2)
    assert (rr.state, rr.assigned_reviewer) == (S.IN_REVIEW, cast.reviewer2)
    event = AuditEvent.objects.get(action="rating_request.assign")
    assert event.changes == {"assigned_reviewer_id": [cast.reviewer.pk, cast.reviewer2.pk]}
    assert event.data == {"reviewer": cast.reviewer2.username, "previous_reviewer": cast.reviewer.username}
    told = Notification.objects.filter(kind=NotificationKind.REVIEW_ASSIGNED, recipient=cast.reviewer2)
    assert told.count() == 1


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        (S.SUBMITTED, InvalidState, "a reviewer is reassigned only while the review is open"),
        (S.RECOMMENDED, InvalidState, "a reviewer is reassigned only while the review is open"),
    ],
)
def test_reassignment_only_while_the_review_is_open(cast, django_capture_on_commit_callbacks, state, error, message):
    rr = request_in_state(cast, state)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: assignment.rating_request_assign(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer2),
        error,
        match=message,
    )


def test_the_same_reviewer_or_a_non_reviewer_is_a_field_error(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, S.IN_REVIEW)
    for reviewer, message in ((cast.reviewer, "already reviews"), (cast.approver, "is not an HHS reviewer")):
        error = assert_refused(
            django_capture_on_commit_callbacks,
            rr,
            lambda reviewer=reviewer: assignment.rating_request_assign(
                rating_request=rr, actor=cast.intake, reviewer=reviewer
            ),
            ValidationFailed,
            match=message,
        )
        assert error.field == "reviewer"


def test_a_conflicted_reviewer_is_never_offered_and_assigning_them_is_refused_and_audited(
    cast, django_capture_on_commit_callbacks
):
    declare(cast)
    rr = request_in_state(cast, S.SUBMITTED)

    assert cast.reviewer2 not in workqueue.eligible_reviewers(rr)
    assert cast.reviewer in workqueue.eligible_reviewers(rr)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_accept_for_review(
            rating_request=rr, actor=cast.intake, reviewer=cast.reviewer2
        ),
        PermissionRefused,
        action="accept_for_review",
        match="declared a conflict of interest with Acme Vaccines",
    )


def test_a_conflicted_staff_member_takes_no_action_on_the_organizations_requests(
    cast, django_capture_on_commit_callbacks
):
    rr = request_in_state(cast, S.RECOMMENDED)
    declare(cast, who=cast.approver)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_deny(rating_request=rr, actor=cast.approver, reason="No."),
        PermissionRefused,
        action="deny",
        match="You declared a conflict of interest with the requesting organization",
    )
    # and the queue never offers it
    sections = {s.key: s for s in workqueue.role_sections(cast.approver)}
    assert sections["decide"].items == []


def test_withdrawing_a_declaration_lets_the_reviewer_be_assigned_again(cast):
    conflict = declare(cast)
    conflicts.conflict_of_interest_withdraw(conflict=conflict, actor=cast.reviewer2, reason="Declared in error.")
    conflict.refresh_from_db()
    assert (conflict.is_active, conflict.withdrawn_by, conflict.withdrawal_reason) == (
        False,
        cast.reviewer2,
        "Declared in error.",
    )
    rr = request_in_state(cast, S.SUBMITTED)
    assert cast.reviewer2 in workqueue.eligible_reviewers(rr)
    assert [
        e.action for e in AuditEvent.objects.filter(object_type="ratings.ConflictOfInterest").order_by("sequence")
    ] == [
        "conflict_of_interest.declare",
        "conflict_of_interest.withdraw",
    ]


def test_a_reviewer_declares_their_own_conflict_but_not_someone_elses(cast):
    own = conflicts.conflict_of_interest_declare(
        actor=cast.reviewer,
        staff_member=cast.reviewer,
        organization=cast.manufacturer2,
        reason="My brother works there.",
    )
    assert own.declared_by == cast.reviewer
    start = last_sequence()
    with pytest.raises(PermissionRefused, match="only your own"):
        conflicts.conflict_of_interest_declare(
            actor=cast.reviewer, staff_member=cast.reviewer2, organization=cast.manufacturer2, reason="x"
        )
    assert [(e.action, e.outcome) for e in events_after(start)] == [("conflict_of_interest.declare", "denied")]
    with pytest.raises(ValidationFailed, match="already has a declared conflict"):
        conflicts.conflict_of_interest_declare(
            actor=cast.intake, staff_member=cast.reviewer, organization=cast.manufacturer2, reason="again"
        )
    assert ConflictOfInterest.objects.count() == 1


def test_bulk_assignment_accepts_submitted_requests_reassigns_reviews_and_reports_the_rest(cast):
    submitted = request_in_state(cast, S.SUBMITTED)
    in_review = request_in_state(cast, S.IN_REVIEW)
    recommended = request_in_state(cast, S.RECOMMENDED)

    result = assignment.rating_requests_assign_bulk(
        rating_requests=[submitted, in_review, recommended], actor=cast.intake, reviewer=cast.reviewer2
    )

    assert result.assigned == [submitted.reference, in_review.reference]
    assert [ref for ref, _ in result.refused] == [recommended.reference]
    assert "reassigned only while the review is open" in result.refused[0][1]
    states = dict(RatingRequest.objects.values_list("reference", "state"))
    assert (states[submitted.reference], states[in_review.reference]) == (S.IN_REVIEW, S.IN_REVIEW)
    assert set(RatingRequest.objects.filter(assigned_reviewer=cast.reviewer2).values_list("pk", flat=True)) == {
        submitted.pk,
        in_review.pk,
    }


def test_bulk_assignment_by_anyone_but_intake_is_one_audited_refusal(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, S.SUBMITTED)
    start = last_sequence()
    with pytest.raises(PermissionRefused, match="Only an HHS intake analyst assigns reviewers"):
        assignment.rating_requests_assign_bulk(rating_requests=[rr], actor=cast.reviewer, reviewer=cast.reviewer)
    assert [(e.action, e.outcome) for e in events_after(start)] == [("rating_request.assign", "denied")]
    assert RatingRequest.objects.get(pk=rr.pk).state == S.SUBMITTED
