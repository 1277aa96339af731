"""The rating request's workflow: submit, review, recommend, decide, withdraw.

Each service validates its input inside `apply` and runs along the one transition path
(services.transition): lock, version, state, permission, signature, transition, audit.
Returning a request for correction and resubmitting it are in services.requests.corrections.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import REVIEW_CHECKLIST, Recommendation
from ratings.models import InformationRequest, RatingRequest, User
from ratings.services import items, transition
from ratings.services.accounts import signing_basis
from ratings.services.authorizations import issue as authorizations
from ratings.services.requests import decisions, submissions
from ratings.services.requests import notices as request_notices
from ratings.services.requests.checks import Attestation as Attestation  # part of submit's signature
from ratings.services.requests.checks import certify_submission, check_reviewer

ACTION_LABELS = {
    "submit": "submitted",
    "accept_for_review": "accepted for review",
    "request_information": "sent a question",
    "respond": "answered",
    "recommend": "recommended",
    "return_for_rework": "returned for rework",
    "approve": "approved",
    "deny": "denied",
    "withdraw": "withdrawn",
    "return_for_correction": "returned to the applicant for correction",
    "resubmit": "resubmitted",
}


def _action(name: str, *, signature: bool = False) -> transition.Action:
    return transition.Action(
        audit=audit_actions.REQUEST_ACTIONS[name],
        permission=permissions.request_rule(name),
        transition=name,
        done=f"be {ACTION_LABELS[name]}",
        signature=signature,
    )


ACTIONS = {name: _action(name, signature=name == "approve") for name in ACTION_LABELS}


def _require(value: str, *, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    return text


def perform_request_action(
    *,
    rating_request: RatingRequest,
    actor: User,
    action: str,
    expected_version: int | None,
    apply: Callable[[RatingRequest], dict[str, Any] | None],
    reason: str = "",
    password: str = "",
    otp: str = "",
) -> RatingRequest:
    """One request transition along the shared path (services.transition): the request's own
    variant of it, which every request workflow service takes; the notices of the transition
    are written in its transaction."""

    def applied(locked: RatingRequest) -> transition.Applied:
        data = apply(locked) or {}
        return transition.Applied(
            reason=reason,
            data=data,
            then=lambda: request_notices.notify_request_transition(rating_request=locked, action=action, actor=actor),
        )

    return transition.perform(
        transition.REQUEST,
        ACTIONS[action],
        target=rating_request,
        actor=actor,
        apply=applied,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )


def rating_request_submit(
    *,
    rating_request: RatingRequest,
    actor: User,
    attestation: Attestation,
    expected_version: int | None = None,
) -> RatingRequest:
    """Applicant certifies (18 U.S.C. 1001 warning) and submits a complete draft."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        now = timezone.now()
        certify_submission(rating_request, actor, attestation, now)
        rating_request.submit(at=now)
        submissions.submission_record(rating_request=rating_request, actor=actor, at=now)
        return {"certification_text": attestation.text}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="submit",
        expected_version=expected_version,
        apply=apply,
    )


def rating_request_accept_for_review(
    *, rating_request: RatingRequest, actor: User, reviewer: User | None, expected_version: int | None = None
) -> RatingRequest:
    """Intake accepts a submitted request and assigns a reviewer."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        chosen = check_reviewer(rating_request, reviewer)
        rating_request.accept_for_review(reviewer=chosen)
        return {"reviewer": chosen.get_username()}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="accept_for_review",
        expected_version=expected_version,
        apply=apply,
    )


def rating_request_request_information(
    *, rating_request: RatingRequest, actor: User, question: str, expected_version: int | None = None
) -> RatingRequest:
    """The assigned reviewer asks the applicant a question; the review clock pauses."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        text = _require(question, field="question", message="Write the question for the applicant.")
        now = timezone.now()
        InformationRequest.objects.create(request=rating_request, question=text, asked_by=actor, asked_at=now)
        rating_request.request_information(at=now)
        return {"question": text}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="request_information",
        expected_version=expected_version,
        apply=apply,
        reason=question.strip() if question else "",
    )


def rating_request_respond(
    *, rating_request: RatingRequest, actor: User, response: str, expected_version: int | None = None
) -> RatingRequest:
    """The applicant answers the open question; the request goes back to review."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        text = _require(response, field="response", message="Write your answer to HHS's question.")
        question = rating_request.information_requests.filter(responded_at__isnull=True).order_by("-asked_at").first()
        if question is None:
            raise InvalidState("There is no open question to answer.")
        question.response, question.responded_by, question.responded_at = (
            text,
            actor,
            timezone.now(),
        )
        question.save(update_fields=["response", "responded_by", "responded_at"])
        rating_request.respond()
        return {"information_request_id": question.pk, "response": text}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="respond",
        expected_version=expected_version,
        apply=apply,
    )


def rating_request_recommend(
    *,
    rating_request: RatingRequest,
    actor: User,
    outcome: str,
    rationale: str,
    checklist: dict[str, bool],
    expected_version: int | None = None,
) -> RatingRequest:
    """The assigned reviewer recommends approval or denial, with a rationale and the checklist."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        if outcome not in Recommendation.values:
            raise ValidationFailed("Choose a recommendation: approve or deny.", field="outcome")
        text = _require(rationale, field="rationale", message="Write the rationale for your recommendation.")
        missing = [label for key, label in REVIEW_CHECKLIST.items() if not isinstance(checklist.get(key), bool)]
        if missing:
            raise ValidationFailed("Answer every checklist item: " + " ".join(missing), field="checklist")
        if outcome == Recommendation.APPROVE and not all(checklist[key] for key in REVIEW_CHECKLIST):
            raise ValidationFailed(
                "Approval can be recommended only when every checklist item holds; otherwise recommend denial.",
                field="checklist",
            )
        answers = {key: checklist[key] for key in REVIEW_CHECKLIST}
        rating_request.recommend(by=actor, at=timezone.now(), outcome=outcome, rationale=text, checklist=answers)
        return {"recommendation": outcome}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="recommend",
        expected_version=expected_version,
        apply=apply,
        reason=rationale.strip() if rationale else "",
    )


def rating_request_return_for_rework(
    *, rating_request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    def apply(rating_request: RatingRequest) -> None:
        _require(reason, field="reason", message="Say why the request goes back for rework.")
        rating_request.return_for_rework()

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="return_for_rework",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def rating_request_approve(
    *,
    rating_request: RatingRequest,
    actor: User,
    password: str,
    otp: str = "",
    reason: str = "",
    decision: decisions.DecisionInput | None = None,
    expected_version: int | None = None,
) -> RatingRequest:
    """An approving official with authority for the level approved approves and signs the rating
    authorization (password and a fresh authenticator code, 21 CFR 11.200). The decision may
    lower the level or approve some items or quantities only, each with its reason; it is part
    of what is signed."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        items.refuse_past_dates(
            rating_request, advice="Deny the request; the applicant can then ask again with dates still ahead."
        )
        decided = decisions.approval_decision_record(rating_request, actor, decision or decisions.DecisionInput())
        membership = permissions.approving_membership(actor, decided.approved_level)
        # What the authorization prints as its legal basis: refused before anything is signed.
        delegation = signing_basis.signing_delegation(actor, decided.approved_level)
        signing_basis.program_determination(rating_request.program)
        now = timezone.now()
        rating_request.approve(by=actor, at=now, reason=(reason or "").strip())
        # Same transaction: the signed rating authorization; the request moves to issued. The
        # authorized party's signers then place the rated orders (45 CFR 101.32(a)(3)).
        authorization = authorizations.rating_authorization_issue(
            rating_request=rating_request, actor=actor, delegation=delegation, at=now, decision=decided
        )
        return {
            "delegation": delegation,
            "approval_level": membership.approval_level if membership else "",
            "authorization": authorization.number,
            "decision": decisions.audit_detail(decided),
        }

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="approve",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
        password=password,
        otp=otp,
    )


def rating_request_deny(
    *, rating_request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    def apply(rating_request: RatingRequest) -> None:
        text = _require(
            reason,
            field="reason",
            message="Give the reasons for the denial; the applicant will see them.",
        )
        rating_request.deny(by=actor, at=timezone.now(), reason=text)

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="deny",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def rating_request_withdraw(
    *, rating_request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    def apply(rating_request: RatingRequest) -> None:
        text = _require(reason, field="reason", message="Say why you withdraw the request.")
        rating_request.withdraw(reason=text)

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="withdraw",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def available_actions(rating_request: RatingRequest, user: User) -> list[str]:
    """Transitions the user may take on the request now (for buttons), in graph order."""
    return [
        name for name, action in ACTIONS.items() if action.refusal(transition.REQUEST, rating_request, user) is None
    ]


TRANSITION_SERVICES: dict[str, Callable[..., RatingRequest]] = {
    "submit": rating_request_submit,
    "accept_for_review": rating_request_accept_for_review,
    "request_information": rating_request_request_information,
    "respond": rating_request_respond,
    "recommend": rating_request_recommend,
    "return_for_rework": rating_request_return_for_rework,
    "approve": rating_request_approve,
    "deny": rating_request_deny,
    "withdraw": rating_request_withdraw,
}
