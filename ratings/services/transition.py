"""The one path every write service takes.

    atomic(durable=True)        a service is the transaction boundary, never called inside another
    lock the service's own row  select_for_update(of=("self",)): related rows are read, not locked
    version check               ConcurrentChange when someone changed the row since it was shown
    state check                 InvalidState; for an FSM transition its source states decide
    permission check            the rule in ratings.permissions (the FSM transition declares it too)
    re-authentication           21 CFR 11.200: a signature re-checks the signer's password, and the
                                second factor (a TOTP code) of whoever must use one
    apply                       validates the input, calls the FSM transition, writes dependent rows
    save                        the row, its version bumped
    audit                       one event in the same transaction

A refusal (permission or credentials, found before or inside `apply`) rolls the whole
transaction back, is recorded as a "denied" event in a transaction of its own, and surfaces as
PermissionRefused: nothing else changes. Invalid input (ValidationFailed from `apply`) rolls
back and records nothing. Side effects (tasks, e-mail) are queued with on_commit inside `apply`
or by the outbox rows it writes, so they happen only once the change is committed.

A transaction the database breaks off (deadlock, serialization failure, a statement prepared
before a migration changed its columns) runs again whole, at most three times
(`ratings.services.retry`): `apply` may run more than once, so whatever it keeps outside the
database (a list it fills for its caller) must hold only the last run's result.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, TypedDict, TypeVar, Unpack

from django.db import models, transaction
from django_fsm import can_proceed

from audit import services as audit
from audit.actions import AuditAction
from audit.constants import Outcome
from dpa_portal import prepared
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused
from ratings import permissions, second_factor
from ratings.models import Notification, RatedOrder, RatedOrderVersion, RatingAuthorization, RatingRequest, User
from ratings.services import retry

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
Rule = Callable[[Any, Any], "str | None"]


class Refused(Exception):
    """Raised by a rule or inside `apply`: the actor may not do this. Audited, then PermissionRefused.

    `keep` runs in the transaction that records the refusal: what must outlast the rollback
    (a failed second-factor code still counts towards its throttle)."""

    def __init__(self, message: str, *, keep: Callable[[], object] | None = None):
        super().__init__(message)
        self.message = message
        self.keep = keep


@dataclass(frozen=True)
class Kind(Generic[M]):
    """How the path reads one kind of row: its state, version, reference and organization."""

    model: type[M]
    noun: str  # "Request", "Order", "Notice" in messages
    reference: Callable[[M], str]
    organization_id: Callable[[M], int | None]
    state_field: str | None = None
    version_field: str | None = None
    bump_version: bool = False  # the path bumps it; otherwise `apply` sets it (order versions)
    audited_fields: tuple[str, ...] = ()  # before/after values recorded on the event
    stale_message: str = "This request was changed by someone else; reload the page and try again."
    filed_under: Callable[[M], str] | None = None  # the audit reference, when not `reference`

    def audit_reference(self, row: M) -> str:
        return (self.filed_under or self.reference)(row)

    def state(self, row: M) -> str:
        return str(getattr(row, self.state_field)) if self.state_field else ""

    def state_text(self, row: M) -> str:
        if not self.state_field:
            return ""
        return str(getattr(row, f"get_{self.state_field}_display")()).lower()

    def snapshot(self, row: M) -> dict[str, Any]:
        return {name: getattr(row, name) for name in self.audited_fields}


@dataclass(frozen=True)
class Action:
    """One action on one kind of row: its audit name and the rules that guard it."""

    audit: AuditAction
    permission: Rule
    transition: str | None = None  # the FSM method `apply` calls: its source states are the state check
    states: Collection[str] | None = None  # the states allowing an action that is not a transition
    done: str = ""  # "be approved": "Request X is approved; it cannot be approved now."
    state_message: str = ""  # instead, a whole sentence with {noun}, {reference} and {state}
    signature: bool = False  # a signature: the password is re-checked (21 CFR 11.200)

    def state_refusal(self, kind: Kind[Any], row: Any) -> str | None:
        if self.transition is not None:
            ok = can_proceed(getattr(row, self.transition), check_conditions=False)
        else:
            ok = self.states is None or kind.state(row) in self.states
        if ok:
            return None
        template = self.state_message or "{noun} {reference} is {state}; it cannot " + self.done + " now."
        return template.format(noun=kind.noun, reference=kind.reference(row), state=kind.state_text(row))

    def refusal(self, kind: Kind[Any], row: Any, user: Any) -> str | None:
        """Why `user` may not take the action on `row` now (its state, then the rule), or None:
        what a page checks before offering it; `perform` checks the same again, under the lock."""
        return self.state_refusal(kind, row) or self.permission(row, user)


@dataclass
class Applied:
    """What `apply` tells the audit event."""

    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] | None = None  # instead of the kind's audited fields
    organization_id: int | None = None  # whose data the event concerns, when not the row's
    created: models.Model | None = None  # a row of the same kind the action created: the event is about it
    about: models.Model | None = None  # another row the event is about (an attachment of the request)
    filed_under: str = ""  # with `about`: the reference and state of that row (an order placed under it)
    about_state: str = ""
    unchanged: bool = False  # the input changed nothing: no save, no version, no event
    then: Callable[[], object] | None = None  # runs after the save, in the transaction (outbox notices)


REQUEST: Kind[RatingRequest] = Kind(
    model=RatingRequest,
    noun="Request",
    reference=lambda rr: rr.reference,
    organization_id=lambda rr: rr.applicant_organization_id,
    state_field="state",
    version_field="version",
    bump_version=True,
    audited_fields=(
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
    ),
)
ORDER: Kind[RatedOrder] = Kind(
    model=RatedOrder,
    noun="Order",
    reference=lambda order: order.order_number,
    organization_id=lambda order: order.placing_organization_id,
    state_field="status",
    version_field="current_version",
    stale_message="This order was changed (a new version was issued); reload it and try again.",
)
ORDER_VERSION: Kind[RatedOrderVersion] = Kind(
    model=RatedOrderVersion,
    noun="Order version",
    reference=lambda version: version.order.order_number,
    organization_id=lambda version: version.order.placing_organization_id,
    state_field="generation_status",
)
AUTHORIZATION: Kind[RatingAuthorization] = Kind(
    model=RatingAuthorization,
    noun="Authorization",
    reference=lambda authorization: authorization.number,
    organization_id=lambda authorization: authorization.authorized_party_id,
    state_field="status",
    version_field="version",
    stale_message="This authorization was changed by HHS; reload it and try again.",
)
NOTICE: Kind[Notification] = Kind(
    model=Notification,
    noun="Notice",
    reference=lambda notice: f"#{notice.pk}",
    organization_id=lambda notice: None,
    state_field="status",
    filed_under=lambda notice: "",
)


ACCOUNT: Kind[User] = Kind(
    model=User,
    noun="Account",
    reference=lambda user: user.get_username(),
    organization_id=lambda user: None,
    filed_under=lambda user: "",
)


def check_signing_credentials(actor: User, password: str, otp: str = "") -> None:
    """21 CFR 11.200(a): signing re-checks the signer's credentials at the moment of signing:
    the password, and a fresh code from the authenticator app of whoever must use a second
    factor (HHS staff and auditors always; NIST SP 800-63B AAL2)."""
    if not password:
        raise Refused(
            "Re-enter your password to sign: an electronic signature needs your credentials at the moment of signing."
        )
    if not actor.check_password(password):
        raise Refused("The password you entered is not correct; nothing was signed.")
    if not second_factor.must_use(actor):
        return
    check = second_factor.check_totp(actor, otp)
    if not check.ok:
        device = check.device
        keep = (lambda: second_factor.record_failure(device)) if device is not None and otp else None
        raise Refused(f"{check.message} Nothing was signed.", keep=keep)


def audit_denied(
    *,
    action: AuditAction,
    actor: User,
    message: str,
    target: models.Model | None = None,
    reference: str = "",
    organization_id: int | None = None,
    from_state: str = "",
    data: dict[str, Any] | None = None,
    keep: Callable[[], object] | None = None,
) -> None:
    """Commit a "denied" event on its own: whatever was refused has rolled back or never started."""
    with transaction.atomic(durable=True):
        if keep is not None:
            keep()
        audit.record(
            action=action,
            actor=actor,
            target=target,
            outcome=Outcome.DENIED,
            reference=reference,
            organization_id=organization_id,
            from_state=from_state,
            reason=message,
            data=data,
            commit=True,
        )


class RefusalDetails(TypedDict, total=False):
    target: models.Model | None
    reference: str
    organization_id: int | None
    from_state: str
    data: dict[str, Any] | None
    keep: Callable[[], object] | None


def record_refusal(*, action: AuditAction, actor: User, message: str, **details: Unpack[RefusalDetails]) -> NoReturn:
    """Audit the refusal on its own, then refuse."""
    audit_denied(action=action, actor=actor, message=message, **details)
    raise PermissionRefused(message)


def perform(
    kind: Kind[M],
    action: Action,
    *,
    target: M,
    actor: User,
    apply: Callable[[M], Applied | None],
    expected_version: int | None = None,
    password: str = "",
    otp: str = "",
) -> M:
    """Run `action` on `target` along the path in the module docstring; returns the saved row."""
    refusal: tuple[Refused, M, str] | None = None  # the refusal, row, state when refused

    def attempt() -> M:
        nonlocal refusal
        with transaction.atomic(durable=True):
            row = prepared.lock_row(kind.model, target.pk)
            if kind.version_field and expected_version not in (None, getattr(row, kind.version_field)):
                raise ConcurrentChange(kind.stale_message)
            if state_problem := action.state_refusal(kind, row):
                raise InvalidState(state_problem)
            from_state = kind.state(row)
            try:
                permissions.forget_memberships(actor)
                if message := action.permission(row, actor):
                    raise Refused(message)
                if action.signature:
                    check_signing_credentials(actor, password, otp)
                before, stored = kind.snapshot(row), prepared.written_values(row)
                applied = apply(row) or Applied()
            except Refused as error:
                refusal = (error, row, from_state)
                raise
            if applied.unchanged:
                return row
            if kind.bump_version and kind.version_field:
                setattr(row, kind.version_field, getattr(row, kind.version_field) + 1)
            prepared.save_fields(row, prepared.changed_fields(row, stored))
            after = kind.snapshot(row)
            changes = applied.changes
            if changes is None:
                changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
            if applied.then is not None:
                applied.then()
            subject: Any = applied.created or row
            # Last: the append takes the chain lock and commits with it (docs/architecture.md "Lock order").
            audit.record(
                action=action.audit,
                actor=actor,
                target=applied.about or subject,
                reference=applied.filed_under or kind.audit_reference(subject),
                organization_id=applied.organization_id or kind.organization_id(subject),
                from_state="" if applied.created or applied.filed_under else from_state,
                to_state=applied.about_state or kind.state(subject),
                reason=applied.reason,
                changes=changes,
                data=applied.data,
                commit=True,
            )
            return row

    try:
        return retry.retried(attempt)
    except Refused:
        assert refusal is not None
        refused, row, from_state = refusal
        record_refusal(
            action=action.audit,
            actor=actor,
            message=refused.message,
            target=row,
            reference=kind.audit_reference(row),
            organization_id=kind.organization_id(row),
            from_state=from_state,
            keep=refused.keep,
        )


def perform_create(
    action: AuditAction,
    *,
    actor: User,
    refusal: str | None,
    apply: Callable[[], T],
    organization_id: int | None = None,
    target: models.Model | None = None,
    signature: bool = False,
    password: str = "",
    otp: str = "",
) -> T:
    """A write that starts from no row of its own (a new draft, an invitation): the permission is
    the caller's rule (`refusal`, or Refused inside `apply`); `signature` re-checks credentials."""
    where: RefusalDetails = {"target": target, "organization_id": organization_id}
    if refusal:
        record_refusal(action=action, actor=actor, message=refusal, **where)

    def attempt() -> T:
        with transaction.atomic(durable=True):
            if signature:
                check_signing_credentials(actor, password, otp)
            return apply()

    try:
        return retry.retried(attempt)
    except Refused as refused:
        where["keep"] = refused.keep
        record_refusal(action=action, actor=actor, message=refused.message, **where)
