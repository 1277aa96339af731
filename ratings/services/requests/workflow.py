"""Every state change of a rating request goes through here.

Each service: atomic() -> re-fetch with select_for_update() -> optimistic version check ->
state check -> has_transition_perm(actor) (django-fsm does not check it) -> input checks ->
transition -> save() -> one audit event. A permission refusal is itself audited, in a
transaction of its own, and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from audit import services as audit
from audit.constants import Outcome
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused, ValidationFailed
from ratings import permissions
from ratings.constants import CERTIFICATION_TEXT, REVIEW_CHECKLIST, Recommendation, Role
from ratings.models import InformationRequest, RatingRequest, User
from ratings.services.orders import issue as rated_orders
from ratings.services.requests import notices as request_notices

ACTION_LABELS = {
    "submit": "submitted",
    "accept_for_review": "accepted for review",
    "request_information": "sent a question",
    "respond": "answered",
    "recommend": "recommended",
    "return_for_rework": "returned for rework",
    "approve": "approved",
    "issue": "issued",
    "deny": "denied",
    "withdraw": "withdrawn",
}

# Fields an audit event shows before/after values for.
AUDITED_FIELDS = (
    "state",
    "assigned_reviewer_id",
    "recommendation",
    "recommendation_rationale",
    "review_checklist",
    "recommended_by_id",
    "decided_by_id",
    "decision_reason",
    "withdrawal_reason",
    "certified_by_id",
    "certified_name",
    "certified_at",
    "submitted_at",
    "review_paused_at",
)


@dataclass(frozen=True)
class Attestation:
    """The applicant's certification: they typed their full name and accepted the text."""

    typed_name: str
    accepted: bool
    text: str = CERTIFICATION_TEXT


def _snapshot(rating_request: RatingRequest) -> dict[str, Any]:
    return {name: getattr(rating_request, name) for name in AUDITED_FIELDS}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before[name], after[name]] for name in AUDITED_FIELDS if before[name] != after[name]}


def _require(value: str, *, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    return text


def _permitted(method: Any, actor: User) -> bool:
    """django-fsm's permission check for the current state, without the transition's conditions.

    `django_fsm.has_transition_perm` also evaluates conditions, and submit's condition (the
    certification) is only met once the service has recorded it; conditions are checked when
    the transition runs.
    """
    meta = method._django_fsm
    return bool(meta.has_transition_perm(method.__self__, meta.field.get_state(method.__self__), actor))


class AuditedRefusal(Exception):
    """A permission refusal found inside a locked transaction: the caller records it as a
    "denied" audit event, commits that alone, then raises PermissionRefused. Shared by the
    request, order and supplier-response services."""

    def __init__(self, message: str):
        self.message = message


def _perform(
    *,
    request: RatingRequest,
    actor: User,
    action: str,
    expected_version: int | None,
    apply: Callable[[RatingRequest], dict[str, Any] | None],
    reason: str = "",
    check_conditions: bool = True,
) -> RatingRequest:
    """Run one transition under a row lock; see the module docstring for the order of checks.

    `apply` validates the input, calls the transition method and returns extra audit data.
    It may raise ApplicationError (nothing is written) or AuditedRefusal (the refusal is audited).
    """
    refused: str | None = None
    with transaction.atomic():
        rating_request = RatingRequest.objects.select_for_update().select_related("program").get(pk=request.pk)
        if expected_version is not None and rating_request.version != expected_version:
            raise ConcurrentChange()
        method = getattr(rating_request, action)
        if not can_proceed(method, check_conditions=False):
            raise InvalidState(
                f"Request {rating_request.reference} is {rating_request.get_state_display().lower()}; "
                f"it cannot be {ACTION_LABELS[action]} now."
            )
        permissions.forget_memberships(actor)
        from_state = rating_request.state
        try:
            if not _permitted(method, actor):
                raise AuditedRefusal(permissions.refusal(action, rating_request, actor) or "You may not do this.")
            before = _snapshot(rating_request)
            data = apply(rating_request) or {}
        except AuditedRefusal as refusal:
            refused = refusal.message
            audit.record(
                action=f"rating_request.{action}",
                actor=actor,
                target=rating_request,
                outcome=Outcome.DENIED,
                reference=rating_request.reference,
                organization_id=rating_request.applicant_organization_id,
                from_state=from_state,
                reason=refused,
            )
        else:
            rating_request.version += 1
            rating_request.save()
            audit.record(
                action=f"rating_request.{action}",
                actor=actor,
                target=rating_request,
                reference=rating_request.reference,
                organization_id=rating_request.applicant_organization_id,
                from_state=from_state,
                to_state=rating_request.state,
                reason=reason,
                changes=_diff(before, _snapshot(rating_request)),
                data=data,
            )
            request_notices.notify_request_transition(rating_request=rating_request, action=action, actor=actor)
    if refused is not None:
        raise PermissionRefused(refused)
    return rating_request


def _completeness_problems(rating_request: RatingRequest) -> list[str]:
    problems = []
    items = list(rating_request.line_items.prefetch_related("deliveries"))
    if not items:
        problems.append("add at least one line item")
    for item in items:
        if not item.deliveries.all():
            problems.append(f"give item {item.position} a required delivery date")
    for field, label in (
        ("justification_need", "the need"),
        ("justification_efforts", "the efforts already made"),
        ("justification_impact", "the impact of delay"),
    ):
        if not getattr(rating_request, field).strip():
            problems.append(f"describe {label}")
    if not rating_request.program.allows(rating_request.requested_level):
        problems.append(f"choose a level that program {rating_request.program.symbol} allows")
    return problems


def rating_request_submit(
    *,
    request: RatingRequest,
    actor: User,
    attestation: Attestation,
    expected_version: int | None = None,
) -> RatingRequest:
    """Applicant certifies (18 U.S.C. 1001 warning) and submits a complete draft."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        problems = _completeness_problems(rating_request)
        if problems:
            raise ValidationFailed("The request is not complete: " + "; ".join(problems) + ".")
        if not attestation.accepted:
            raise ValidationFailed("Tick the certification box to certify the request.", field="certify")
        typed = " ".join((attestation.typed_name or "").split())
        if not typed:
            raise ValidationFailed("Type your full name as your signature.", field="typed_name")
        if typed.casefold() != " ".join(actor.printed_name.split()).casefold():
            raise ValidationFailed(
                f"The name you typed does not match the name on your account ({actor.printed_name}).",
                field="typed_name",
            )
        now = timezone.now()
        rating_request.certified_by = actor
        rating_request.certified_name = typed
        rating_request.certified_at = now
        rating_request.certification_text = attestation.text
        rating_request.submit(at=now)
        return {"certification_text": attestation.text}

    return _perform(
        request=request,
        actor=actor,
        action="submit",
        expected_version=expected_version,
        apply=apply,
    )


def rating_request_accept_for_review(
    *, request: RatingRequest, actor: User, reviewer: User, expected_version: int | None = None
) -> RatingRequest:
    """Intake accepts a submitted request and assigns a reviewer."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        if reviewer is None:
            raise ValidationFailed("Choose a reviewer to assign.", field="reviewer")
        if not permissions.has_role(reviewer, Role.REVIEWER) or permissions.has_role(reviewer, Role.HHS_ADMIN):
            raise ValidationFailed(f"{reviewer.printed_name} is not an HHS reviewer.", field="reviewer")
        if rating_request.applicant_organization_id in permissions.organization_ids(reviewer):
            raise ValidationFailed(
                f"{reviewer.printed_name} belongs to the requesting organization and cannot review it.",
                field="reviewer",
            )
        rating_request.accept_for_review(reviewer=reviewer)
        return {"reviewer": reviewer.get_username()}

    return _perform(
        request=request,
        actor=actor,
        action="accept_for_review",
        expected_version=expected_version,
        apply=apply,
    )


def rating_request_request_information(
    *, request: RatingRequest, actor: User, question: str, expected_version: int | None = None
) -> RatingRequest:
    """The assigned reviewer asks the applicant a question; the review clock pauses."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        text = _require(question, field="question", message="Write the question for the applicant.")
        now = timezone.now()
        InformationRequest.objects.create(request=rating_request, question=text, asked_by=actor, asked_at=now)
        rating_request.request_information(at=now)
        return {"question": text}

    return _perform(
        request=request,
        actor=actor,
        action="request_information",
        expected_version=expected_version,
        apply=apply,
        reason=question.strip() if question else "",
    )


def rating_request_respond(
    *, request: RatingRequest, actor: User, response: str, expected_version: int | None = None
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

    return _perform(
        request=request,
        actor=actor,
        action="respond",
        expected_version=expected_version,
        apply=apply,
    )


def rating_request_recommend(
    *,
    request: RatingRequest,
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

    return _perform(
        request=request,
        actor=actor,
        action="recommend",
        expected_version=expected_version,
        apply=apply,
        reason=rationale.strip() if rationale else "",
    )


def rating_request_return_for_rework(
    *, request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    def apply(rating_request: RatingRequest) -> None:
        _require(reason, field="reason", message="Say why the request goes back for rework.")
        rating_request.return_for_rework()

    return _perform(
        request=request,
        actor=actor,
        action="return_for_rework",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def check_signing_credentials(actor: User, password: str) -> None:
    """21 CFR 11.200(a): signing re-checks the signer's credentials at the moment of signing."""
    if not password:
        raise AuditedRefusal(
            "Re-enter your password to sign: an electronic signature needs your credentials at the moment of signing."
        )
    if not actor.check_password(password):
        raise AuditedRefusal("The password you entered is not correct; nothing was signed.")


def rating_request_approve(
    *,
    request: RatingRequest,
    actor: User,
    password: str,
    reason: str = "",
    expected_version: int | None = None,
) -> RatingRequest:
    """An approving official with authority for the level approves and signs."""

    def apply(rating_request: RatingRequest) -> dict[str, Any]:
        check_signing_credentials(actor, password)
        membership = permissions.approving_membership(actor, rating_request.requested_level)
        now = timezone.now()
        rating_request.approve(by=actor, at=now, reason=(reason or "").strip())
        delegation = membership.delegation if membership else ""
        # Same transaction: one signed rated order per supplier; the request moves to issued.
        issued = rated_orders.rated_orders_issue(
            rating_request=rating_request, actor=actor, delegation=delegation, at=now
        )
        return {
            "delegation": delegation,
            "approval_level": membership.approval_level if membership else "",
            "rated_orders": [order.order_number for order in issued],
        }

    return _perform(
        request=request,
        actor=actor,
        action="approve",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def rating_request_deny(
    *, request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    def apply(rating_request: RatingRequest) -> None:
        text = _require(
            reason,
            field="reason",
            message="Give the reasons for the denial; the applicant will see them.",
        )
        rating_request.deny(by=actor, at=timezone.now(), reason=text)

    return _perform(
        request=request,
        actor=actor,
        action="deny",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def rating_request_withdraw(
    *, request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    def apply(rating_request: RatingRequest) -> None:
        text = _require(reason, field="reason", message="Say why you withdraw the request.")
        rating_request.withdraw(reason=text)

    return _perform(
        request=request,
        actor=actor,
        action="withdraw",
        expected_version=expected_version,
        apply=apply,
        reason=(reason or "").strip(),
    )


def available_actions(rating_request: RatingRequest, user: User) -> list[str]:
    """Transitions the user may take on the request now (for buttons), in graph order.

    Conditions are left out as in `_perform` (submit's certification is given with the action).
    """
    return [
        name
        for name in ACTION_LABELS
        if can_proceed(getattr(rating_request, name), check_conditions=False)
        and _permitted(getattr(rating_request, name), user)
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
