"""Every transition of the request workflow: who may take it, when, and what a refusal leaves."""

from __future__ import annotations

from typing import Any

import pytest

from audit import services as audit
from audit.constants import Outcome
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import WITHDRAWABLE_STATES, RatingLevel, Recommendation, RequestState, Role
from ratings.models import InformationRequest, Membership, RatingRequest
from ratings.permissions import HHS_ADMIN_REFUSAL
from ratings.services.requests import drafts, workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, details, member, otp, request_in_state
from tests.helpers import assert_refused, events_after, last_sequence

S = RequestState

# action -> (state it starts from, target state, the valid inputs)
TRANSITIONS: dict[str, tuple[str, str, Any]] = {
    "submit": (S.DRAFT, S.SUBMITTED, lambda c, u: {"attestation": workflow.Attestation(u.printed_name, True)}),
    "accept_for_review": (S.SUBMITTED, S.IN_REVIEW, lambda c, u: {"reviewer": c.reviewer}),
    "request_information": (S.IN_REVIEW, S.INFO_REQUESTED, lambda c, u: {"question": "Send the quote."}),
    "respond": (S.INFO_REQUESTED, S.IN_REVIEW, lambda c, u: {"response": "Attached."}),
    "recommend": (
        S.IN_REVIEW,
        S.RECOMMENDED,
        lambda c, u: {"outcome": "approve", "rationale": "Sound.", "checklist": CHECKLIST_ALL_TRUE},
    ),
    "return_for_rework": (S.RECOMMENDED, S.IN_REVIEW, lambda c, u: {"reason": "Check the dates."}),
    "approve": (S.RECOMMENDED, S.ISSUED, lambda c, u: {"password": PASSWORD, "otp": otp(u), "reason": "Fine."}),
    "deny": (S.RECOMMENDED, S.DENIED, lambda c, u: {"reason": "Not eligible."}),
    "withdraw": (S.DRAFT, S.WITHDRAWN, lambda c, u: {"reason": "No longer needed."}),
}
RIGHT_ACTORS = {
    "submit": {"applicant"},
    "accept_for_review": {"intake"},
    "request_information": {"reviewer"},
    "respond": {"applicant"},
    "recommend": {"reviewer"},
    "return_for_rework": {"approver", "secretary"},
    "approve": {"approver", "secretary"},
    "deny": {"approver", "secretary"},
    "withdraw": {"applicant"},
}
CAST_USERS = [
    "applicant",
    "applicant2",
    "supplier",
    "intake",
    "reviewer",
    "reviewer2",
    "approver",
    "secretary",
    "hhsadmin",
    "auditor",
]


def _call(action: str, rr: RatingRequest, actor: Any, **kwargs: Any) -> RatingRequest:
    return workflow.TRANSITION_SERVICES[action](rating_request=rr, actor=actor, **kwargs)


# --- allowed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "who"),
    [(action, who) for action, whos in RIGHT_ACTORS.items() for who in sorted(whos)],
)
def test_the_right_role_takes_each_transition(cast, action, who):
    # given
    source, target, inputs = TRANSITIONS[action]
    rr = request_in_state(cast, source)
    actor = getattr(cast, who)
    start = last_sequence()

    # when
    result = _call(action, rr, actor, expected_version=rr.version, **inputs(cast, actor))

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert stored.state == target == result.state
    assert stored.version == rr.version + 1
    events = events_after(start)
    # Approval also signs the rating authorization, with its own event.
    expected_actions = ["rating_authorization.issue"] * (action == "approve") + [f"rating_request.{action}"]
    assert [e.action for e in events] == expected_actions
    event = events[-1]
    assert (event.action, event.outcome, event.from_state, event.to_state) == (
        f"rating_request.{action}",
        Outcome.SUCCESS,
        source,
        target,
    )
    assert event.actor_id == actor.pk
    assert event.changes["state"] == [source, target]
    assert audit.verify_chain().ok is True


def test_accept_assigns_the_reviewer_and_request_information_pauses_the_clock(cast):
    # given
    rr = request_in_state(cast, S.SUBMITTED)

    # when
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer2)
    rr = workflow.rating_request_request_information(rating_request=rr, actor=cast.reviewer2, question=" Why? ")

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert stored.assigned_reviewer == cast.reviewer2
    assert stored.review_paused_at is not None
    question = InformationRequest.objects.get(request=rr)
    assert (question.question, question.asked_by) == ("Why?", cast.reviewer2)


def test_respond_records_the_answer_and_restarts_the_clock(cast):
    # given
    rr = request_in_state(cast, S.INFO_REQUESTED)

    # when
    workflow.rating_request_respond(rating_request=rr, actor=cast.applicant, response="Quote attached.")

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.review_paused_at) == (S.IN_REVIEW, None)
    question = InformationRequest.objects.get(request=rr)
    assert (question.response, question.responded_by) == ("Quote attached.", cast.applicant)


@pytest.mark.parametrize("outcome", [Recommendation.APPROVE, Recommendation.DENY])
def test_the_assigned_reviewer_recommends_either_way(cast, outcome):
    # given
    rr = request_in_state(cast, S.IN_REVIEW)
    checklist = {**CHECKLIST_ALL_TRUE, "genuine_need": outcome == Recommendation.APPROVE}

    # when
    workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome=outcome, rationale="Because.", checklist=checklist
    )

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.recommendation, stored.recommended_by) == (S.RECOMMENDED, outcome, cast.reviewer)
    assert stored.review_checklist == checklist


def test_a_dx_request_is_approved_by_the_secretary(cast):
    # given
    rr = request_in_state(cast, S.RECOMMENDED, level=RatingLevel.DX)

    # when
    workflow.rating_request_approve(rating_request=rr, actor=cast.secretary, password=PASSWORD, otp=otp(cast.secretary))

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.decided_by) == (S.ISSUED, cast.secretary)
    event = events_after(last_sequence() - 1)[0]
    assert event.data["approval_level"] == RatingLevel.DX


def test_deny_records_the_reasons(cast):
    # given
    rr = request_in_state(cast, S.RECOMMENDED)

    # when
    workflow.rating_request_deny(rating_request=rr, actor=cast.approver, reason="  Food service gloves. ")

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.decided_by, stored.decision_reason) == (
        S.DENIED,
        cast.approver,
        "Food service gloves.",
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.RECOMMENDED])
def test_the_applicant_withdraws_from_every_state_before_the_decision(cast, state):
    # given
    rr = request_in_state(cast, state)

    # when
    workflow.rating_request_withdraw(rating_request=rr, actor=cast.applicant, reason="Delivered without a rating.")

    # then
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.withdrawal_reason, stored.review_paused_at) == (
        S.WITHDRAWN,
        "Delivered without a rating.",
        None,
    )
    assert stored.version == rr.version + 1


# --- refused: wrong role ---------------------------------------------------------------------


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_other_role_is_refused_every_transition(cast, django_capture_on_commit_callbacks, action):
    # given: the request is in the state the action starts from, the input is valid
    source, _, inputs = TRANSITIONS[action]
    rr = request_in_state(cast, source)

    for who in CAST_USERS:
        if who in RIGHT_ACTORS[action]:
            continue
        actor = getattr(cast, who)
        # when/then: refused, audited once as denied, nothing else changed (one refusal at a time)
        error = assert_refused(
            django_capture_on_commit_callbacks,
            rr,
            lambda actor=actor: _call(action, rr, actor, **inputs(cast, actor)),
            PermissionRefused,
            action=action,
        )
        assert error.message, who
        if who == "hhsadmin":
            assert error.message == HHS_ADMIN_REFUSAL
        if who == "auditor":
            assert error.message == "Auditors have read-only access and take no action."
        if who in {"applicant2", "supplier"} and action in {"submit", "respond", "withdraw"}:
            assert error.message == "Only an applicant of the requesting organization can do this."


# --- refused: wrong state --------------------------------------------------------------------

ALL_STATES = [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.RECOMMENDED, S.ISSUED, S.DENIED, S.WITHDRAWN]


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_no_transition_is_taken_from_a_state_it_does_not_start_from(cast, django_capture_on_commit_callbacks, action):
    source = TRANSITIONS[action][0]
    wrong = [s for s in ALL_STATES if s != source and not (action == "withdraw" and s in WITHDRAWABLE_STATES)]
    actor = getattr(cast, sorted(RIGHT_ACTORS[action])[0])

    for state in wrong:
        # given
        rr = request_in_state(cast, state)

        # when/then
        error = assert_refused(
            django_capture_on_commit_callbacks,
            rr,
            lambda rr=rr: _call(action, rr, actor, **TRANSITIONS[action][2](cast, actor)),
            InvalidState,
        )
        assert error.message.startswith(f"Request {rr.reference} is {rr.get_state_display().lower()}; it cannot be ")


# --- refused: separation of duties -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "role", "level"),
    [
        ("accept_for_review", Role.INTAKE_ANALYST, ""),
        ("approve", Role.APPROVING_OFFICIAL, RatingLevel.DX),
        ("deny", Role.APPROVING_OFFICIAL, RatingLevel.DX),
        ("return_for_rework", Role.APPROVING_OFFICIAL, RatingLevel.DX),
    ],
)
def test_hhs_staff_who_belong_to_the_applicant_cannot_act_on_its_request(
    cast, django_capture_on_commit_callbacks, action, role, level
):
    # given: an HHS staffer who is also a member (here: an applicant) of the requesting organization
    source, _, inputs = TRANSITIONS[action]
    rr = request_in_state(cast, source)
    insider = member(cast.hhs, role, approval_level=level)
    Membership.objects.create(user=insider, organization=cast.manufacturer, role=Role.APPLICANT)

    # when/then
    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _call(action, rr, insider, **inputs(cast, insider)),
        PermissionRefused,
        action=action,
    )
    assert "separation of duties" in error.message


def test_an_insider_reviewer_cannot_review_the_request_of_their_organization(cast, django_capture_on_commit_callbacks):
    # given: the reviewer belongs to the applicant; intake assigned them anyway before they joined
    rr = request_in_state(cast, S.IN_REVIEW)
    Membership.objects.create(user=cast.reviewer, organization=cast.manufacturer, role=Role.APPLICANT)

    # when/then
    for action in ("request_information", "recommend"):
        assert_refused(
            django_capture_on_commit_callbacks,
            rr,
            lambda action=action: _call(action, rr, cast.reviewer, **TRANSITIONS[action][2](cast, cast.reviewer)),
            PermissionRefused,
            action=action,
        )


def test_intake_cannot_assign_a_reviewer_from_the_applicant(cast, django_capture_on_commit_callbacks):
    # given
    rr = request_in_state(cast, S.SUBMITTED)
    Membership.objects.create(user=cast.reviewer2, organization=cast.manufacturer, role=Role.APPLICANT)

    # when/then: an input error on the reviewer field, nothing written
    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_accept_for_review(
            rating_request=rr, actor=cast.intake, reviewer=cast.reviewer2
        ),
        ValidationFailed,
    )
    assert error.field == "reviewer"


@pytest.mark.parametrize("not_a_reviewer", ["approver", "hhsadmin", "applicant"])
def test_intake_can_only_assign_an_hhs_reviewer(cast, django_capture_on_commit_callbacks, not_a_reviewer):
    rr = request_in_state(cast, S.SUBMITTED)
    user = getattr(cast, not_a_reviewer)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=user),
        ValidationFailed,
    )
    assert (error.field, error.message) == ("reviewer", f"{user.printed_name} is not an HHS reviewer.")


@pytest.mark.parametrize("action", ["approve", "deny", "return_for_rework"])
def test_the_recommending_reviewer_never_decides(cast, django_capture_on_commit_callbacks, action):
    # given: a user who is both reviewer and approving official reviewed and recommended
    both = member(cast.hhs, Role.REVIEWER)
    Membership.objects.create(
        user=both, organization=cast.hhs, role=Role.APPROVING_OFFICIAL, approval_level=RatingLevel.DX
    )
    rr = request_in_state(cast, S.SUBMITTED)
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=both)
    rr = workflow.rating_request_recommend(
        rating_request=rr, actor=both, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )

    # when/then
    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _call(action, rr, both, **TRANSITIONS[action][2](cast, both)),
        PermissionRefused,
        action=action,
    )
    assert "never approves their own review" in error.message


@pytest.mark.parametrize("action", ["request_information", "recommend"])
def test_a_reviewer_not_assigned_cannot_review(cast, django_capture_on_commit_callbacks, action):
    rr = request_in_state(cast, S.IN_REVIEW)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _call(action, rr, cast.reviewer2, **TRANSITIONS[action][2](cast, cast.reviewer2)),
        PermissionRefused,
        action=action,
    )
    assert error.message == "Only the reviewer assigned to this request can do this."


def test_a_do_level_official_cannot_approve_a_dx_request(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, S.RECOMMENDED, level=RatingLevel.DX)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        ),
        PermissionRefused,
        action="approve",
    )
    assert "DX ratings are decided only at Secretary level" in error.message


def test_a_do_level_official_may_still_deny_a_dx_request(cast):
    # Level authority limits who may grant a DX rating; denying one grants nothing.
    rr = request_in_state(cast, S.RECOMMENDED, level=RatingLevel.DX)

    workflow.rating_request_deny(rating_request=rr, actor=cast.approver, reason="Not eligible.")

    assert RatingRequest.objects.get(pk=rr.pk).state == S.DENIED


# --- refused: missing or bad input -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "who", "kwargs", "field"),
    [
        ("request_information", "reviewer", {"question": "   "}, "question"),
        ("respond", "applicant", {"response": ""}, "response"),
        (
            "recommend",
            "reviewer",
            {"outcome": "approve", "rationale": " ", "checklist": CHECKLIST_ALL_TRUE},
            "rationale",
        ),
        ("recommend", "reviewer", {"outcome": "maybe", "rationale": "x", "checklist": CHECKLIST_ALL_TRUE}, "outcome"),
        ("recommend", "reviewer", {"outcome": "deny", "rationale": "x", "checklist": {}}, "checklist"),
        (
            "recommend",
            "reviewer",
            {"outcome": "approve", "rationale": "x", "checklist": {**CHECKLIST_ALL_TRUE, "genuine_need": False}},
            "checklist",
        ),
        ("return_for_rework", "approver", {"reason": ""}, "reason"),
        ("deny", "approver", {"reason": "  "}, "reason"),
        ("withdraw", "applicant", {"reason": ""}, "reason"),
        ("accept_for_review", "intake", {"reviewer": None}, "reviewer"),
    ],
)
def test_missing_input_is_refused_and_nothing_is_written(
    cast, django_capture_on_commit_callbacks, action, who, kwargs, field
):
    rr = request_in_state(cast, TRANSITIONS[action][0])

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _call(action, rr, getattr(cast, who), **kwargs),
        ValidationFailed,
    )
    assert error.field == field
    assert InformationRequest.objects.filter(request=rr).count() == (1 if action == "respond" else 0)


@pytest.mark.parametrize(
    ("attestation", "field"),
    [
        (workflow.Attestation("Alice Applicant", False), "certify"),
        (workflow.Attestation("", True), "typed_name"),
        (workflow.Attestation("Somebody Else", True), "typed_name"),
    ],
)
def test_submit_needs_the_certification(cast, django_capture_on_commit_callbacks, attestation, field):
    rr = request_in_state(cast, S.DRAFT)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_submit(rating_request=rr, actor=cast.applicant, attestation=attestation),
        ValidationFailed,
    )
    assert error.field == field
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.certified_by, stored.certified_at, stored.certified_name) == (None, None, "")


def test_an_incomplete_draft_cannot_be_submitted(cast, django_capture_on_commit_callbacks):
    rr = drafts.rating_request_create(
        actor=cast.applicant,
        organization=cast.manufacturer,
        details=details(cast, justification_impact=""),
        line_items=[],
    )

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_submit(
            rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation("Alice Applicant", True)
        ),
        ValidationFailed,
    )
    assert error.message == "The request is not complete: add at least one line item; describe the impact of delay."


def test_respond_without_an_open_question_is_refused(cast, django_capture_on_commit_callbacks):
    # given: the question was answered behind the service's back (data repair), state still info_requested
    rr = request_in_state(cast, S.INFO_REQUESTED)
    InformationRequest.objects.filter(request=rr).update(response="x", responded_by=cast.applicant)
    InformationRequest.objects.filter(request=rr).update(responded_at=rr.updated_at)

    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_respond(rating_request=rr, actor=cast.applicant, response="Again."),
        InvalidState,
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "Re-enter your password to sign"),
        ("wrong password", "The password you entered is not correct; nothing was signed."),
    ],
)
def test_approval_needs_the_signers_password(cast, django_capture_on_commit_callbacks, password, message):
    # 21 CFR 11.200(a): a failed signature attempt is a refusal, audited as denied.
    rr = request_in_state(cast, S.RECOMMENDED)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_approve(
            rating_request=rr,
            actor=cast.approver,
            password=password,
            otp=otp(cast.approver),
        ),
        PermissionRefused,
        action="approve",
    )
    assert error.message.startswith(message)
    assert RatingRequest.objects.get(pk=rr.pk).decided_by is None


def test_a_stale_version_is_refused_as_a_concurrent_change(cast, django_capture_on_commit_callbacks):
    from dpa_portal.errors import ConcurrentChange

    rr = request_in_state(cast, S.RECOMMENDED)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: workflow.rating_request_deny(
            rating_request=rr, actor=cast.approver, reason="No.", expected_version=rr.version - 1
        ),
        ConcurrentChange,
    )
    assert error.message == "This request was changed by someone else; reload the page and try again."


def test_available_actions_offers_submit_on_a_draft_before_it_is_certified(cast):
    rr = request_in_state(cast, S.DRAFT)

    assert workflow.available_actions(rr, cast.applicant) == ["submit", "withdraw"]
    assert workflow.available_actions(rr, cast.applicant2) == []
    assert workflow.available_actions(rr, cast.intake) == []


def test_available_actions_lists_exactly_what_the_user_may_do(cast):
    rr = request_in_state(cast, S.RECOMMENDED)

    assert workflow.available_actions(rr, cast.approver) == ["return_for_rework", "approve", "deny"]
    assert workflow.available_actions(rr, cast.applicant) == ["withdraw"]
    assert workflow.available_actions(rr, cast.reviewer) == []
    assert workflow.available_actions(rr, cast.hhsadmin) == []
    assert workflow.available_actions(rr, cast.auditor) == []
