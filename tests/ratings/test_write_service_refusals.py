"""Every write service a person can call refuses the wrong actor the same way.

The list below names each write service with someone who may not use it. Each refusal must
write exactly one "denied" audit event for the service's action, committed on its own, and
change nothing else: no state, version or `updated_at` of the target, no new rows anywhere,
no work queued after commit. A second test proves the list is complete: a new write service
without a line here fails the suite.
"""

from __future__ import annotations

import ast
import io
import pathlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django_fsm import has_transition_perm

from audit.constants import Outcome
from audit.models import AuditEvent
from dpa_portal.errors import NotFound, PermissionRefused
from ratings.constants import GenerationStatus, NotificationStatus, RequestState
from ratings.models import Notification, RatedOrder, RatedOrderVersion
from ratings.services.accounts import conflicts, invitations
from ratings.services.notifications import inbox, outbox, preferences
from ratings.services.orders import changes as order_changes
from ratings.services.orders import documents as order_documents
from ratings.services.orders import preview
from ratings.services.requests import assignment, attachments, corrections, drafts, evidence, holds, workflow
from ratings.services.suppliers import flowdown
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import CHECKLIST_ALL_TRUE, Cast, details, line_item, request_in_state
from tests.portal.orders import accepted, issue
from tests.ratings.refusal_cases_accounts import cases as accounts_cases
from tests.ratings.refusal_cases_api import cases as api_cases
from tests.ratings.refusal_cases_authorizations import cases as authorization_cases
from tests.ratings.refusal_cases_placing import cases as placing_cases
from tests.ratings.refusal_cases_program import cases as program_cases
from tests.ratings.refusal_cases_suppliers import cases as suppliers_cases
from tests.ratings.test_drafts import PDF

SERVICES_DIR = pathlib.Path(__file__).resolve().parents[2] / "ratings" / "services"
# Steps that run inside another service's transaction, never on their own.
INNER_STEPS = {
    "rating_authorization_issue",
    "authorization_sign",
    "notify_request_transition",
    "submission_record",
    "submission_mark_returned",
}
# The path itself (and the request workflow's variant of it), not a service.
PATH_FUNCTIONS = {"perform", "perform_create", "record_refusal", "audit_denied", "perform_request_action"}


@dataclass
class Case:
    call: Callable[[], Any]
    action: str
    target: models.Model | None = None
    error: type[Exception] = PermissionRefused


def _draft(cast: Cast) -> Any:
    return request_in_state(cast, RequestState.DRAFT)


def _failed_version(cast: Cast) -> RatedOrderVersion:
    version = issue(cast).versions.get()
    RatedOrderVersion.objects.filter(pk=version.pk).update(generation_status=GenerationStatus.FAILED)
    return version


def _failed_notice(cast: Cast) -> Notification:
    notice = Notification.objects.filter(recipient=cast.applicant).first()
    Notification.objects.filter(pk=notice.pk).update(status=NotificationStatus.FAILED)
    return notice


def _invited(cast: Cast) -> Any:
    return invitations.supplier_contact_invite(
        organization=cast.supplier_org,
        email="new.contact@filtra.example",
        first_name="New",
        last_name="Contact",
        actor=cast.intake,
    )


def _in(cast: Cast, state: str) -> Any:
    return request_in_state(cast, state)


def _returned(cast: Cast) -> Any:
    return corrections.rating_request_return_for_correction(
        rating_request=_in(cast, RequestState.SUBMITTED), actor=cast.intake, reason="Add the quote."
    )


def _conflict(cast: Cast) -> Any:
    return conflicts.conflict_of_interest_declare(
        actor=cast.intake, staff_member=cast.reviewer, organization=cast.manufacturer, reason="Former employer."
    )


CASES: dict[str, Callable[[Cast], Case]] = {
    "rating_request_create": lambda cast: Case(
        lambda: drafts.rating_request_create(
            actor=cast.supplier,
            organization=cast.manufacturer,
            details=details(cast),
            line_items=[line_item(cast.supplier_org)],
        ),
        "rating_request.create",
    ),
    "rating_request_copy": lambda cast: (
        (rr := _draft(cast))
        and Case(lambda: drafts.rating_request_copy(source=rr, actor=cast.applicant2), "rating_request.copy", rr)
    ),
    "rating_request_update": lambda cast: (
        (rr := _draft(cast))
        and Case(
            lambda: drafts.rating_request_update(rating_request=rr, actor=cast.applicant2, details=details(cast)),
            "rating_request.update",
            rr,
        )
    ),
    "rating_request_set_line_items": lambda cast: (
        (rr := _draft(cast))
        and Case(
            lambda: drafts.rating_request_set_line_items(
                rating_request=rr, actor=cast.applicant2, line_items=[line_item(cast.supplier_org)]
            ),
            "rating_request.set_line_items",
            rr,
        )
    ),
    "attachment_add": lambda cast: (
        (rr := _draft(cast))
        and Case(
            lambda: attachments.attachment_add(
                rating_request=rr, actor=cast.applicant2, stream=io.BytesIO(PDF), original_name="quote.pdf"
            ),
            "attachment.add",
            rr,
        )
    ),
    "attachment_download": lambda cast: (
        (rr := _draft(cast))
        and (
            att := attachments.attachment_add(
                rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="quote.pdf"
            )
        )
        and Case(
            lambda: attachments.attachment_download(attachment_id=att.pk, actor=cast.applicant2),
            "attachment.download",
            rr,
            NotFound,
        )
    ),
    "rating_request_submit": lambda cast: (
        (rr := _draft(cast))
        and Case(
            lambda: workflow.rating_request_submit(
                rating_request=rr,
                actor=cast.applicant2,
                attestation=workflow.Attestation(cast.applicant2.printed_name, True),
            ),
            "rating_request.submit",
            rr,
        )
    ),
    "rating_request_accept_for_review": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: workflow.rating_request_accept_for_review(
                rating_request=rr, actor=cast.reviewer, reviewer=cast.reviewer
            ),
            "rating_request.accept_for_review",
            rr,
        )
    ),
    "rating_request_request_information": lambda cast: (
        (rr := _in(cast, RequestState.IN_REVIEW))
        and Case(
            lambda: workflow.rating_request_request_information(
                rating_request=rr, actor=cast.reviewer2, question="Why?"
            ),
            "rating_request.request_information",
            rr,
        )
    ),
    "rating_request_respond": lambda cast: (
        (rr := _in(cast, RequestState.INFO_REQUESTED))
        and Case(
            lambda: workflow.rating_request_respond(rating_request=rr, actor=cast.applicant2, response="Because."),
            "rating_request.respond",
            rr,
        )
    ),
    "rating_request_recommend": lambda cast: (
        (rr := _in(cast, RequestState.IN_REVIEW))
        and Case(
            lambda: workflow.rating_request_recommend(
                rating_request=rr,
                actor=cast.reviewer2,
                outcome="approve",
                rationale="Fine.",
                checklist=CHECKLIST_ALL_TRUE,
            ),
            "rating_request.recommend",
            rr,
        )
    ),
    "rating_request_return_for_rework": lambda cast: (
        (rr := _in(cast, RequestState.RECOMMENDED))
        and Case(
            lambda: workflow.rating_request_return_for_rework(rating_request=rr, actor=cast.reviewer, reason="Redo."),
            "rating_request.return_for_rework",
            rr,
        )
    ),
    "rating_request_approve": lambda cast: (
        (rr := _in(cast, RequestState.RECOMMENDED))
        and Case(
            lambda: workflow.rating_request_approve(
                rating_request=rr, actor=cast.approver, password="wrong", reason="OK"
            ),
            "rating_request.approve",
            rr,
        )
    ),
    "rating_request_deny": lambda cast: (
        (rr := _in(cast, RequestState.RECOMMENDED))
        and Case(
            lambda: workflow.rating_request_deny(rating_request=rr, actor=cast.auditor, reason="No."),
            "rating_request.deny",
            rr,
        )
    ),
    "rating_request_withdraw": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: workflow.rating_request_withdraw(rating_request=rr, actor=cast.applicant2, reason="Done."),
            "rating_request.withdraw",
            rr,
        )
    ),
    "rating_request_return_for_correction": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: corrections.rating_request_return_for_correction(
                rating_request=rr, actor=cast.reviewer, reason="Fix it."
            ),
            "rating_request.return_for_correction",
            rr,
        )
    ),
    "rating_request_resubmit": lambda cast: (
        (rr := _returned(cast))
        and Case(
            lambda: corrections.rating_request_resubmit(
                rating_request=rr,
                actor=cast.applicant2,
                attestation=workflow.Attestation(cast.applicant2.printed_name, True),
            ),
            "rating_request.resubmit",
            rr,
        )
    ),
    "rating_request_assign": lambda cast: (
        (rr := _in(cast, RequestState.IN_REVIEW))
        and Case(
            lambda: assignment.rating_request_assign(rating_request=rr, actor=cast.reviewer, reviewer=cast.reviewer2),
            "rating_request.assign",
            rr,
        )
    ),
    "rating_requests_assign_bulk": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: assignment.rating_requests_assign_bulk(
                rating_requests=[rr], actor=cast.approver, reviewer=cast.reviewer
            ),
            "rating_request.assign",
            rr,
        )
    ),
    "rated_order_preview": lambda cast: (
        (rr := _in(cast, RequestState.RECOMMENDED))
        and Case(
            lambda: preview.rated_order_preview(
                rating_request_id=rr.pk, supplier_id=cast.supplier_org.pk, actor=cast.applicant
            ),
            "rating_request.preview",
            rr,
            NotFound,
        )
    ),
    "conflict_of_interest_declare": lambda cast: Case(
        lambda: conflicts.conflict_of_interest_declare(
            actor=cast.applicant, staff_member=cast.reviewer, organization=cast.manufacturer, reason="Friend."
        ),
        "conflict_of_interest.declare",
        cast.reviewer,
    ),
    "conflict_of_interest_withdraw": lambda cast: (
        (conflict := _conflict(cast))
        and Case(
            lambda: conflicts.conflict_of_interest_withdraw(conflict=conflict, actor=cast.reviewer2, reason="Ended."),
            "conflict_of_interest.withdraw",
            conflict,
        )
    ),
    "notification_preferences_set": lambda cast: Case(
        lambda: preferences.notification_preferences_set(
            user=cast.reviewer, actor=cast.reviewer2, choices={"request_activity": "digest"}
        ),
        "notification.preferences",
        cast.reviewer,
    ),
    "notifications_mark_all_read": lambda cast: Case(
        lambda: inbox.notifications_mark_all_read(user=cast.applicant, actor=cast.applicant2),
        "notification.read_all",
        cast.applicant,
    ),
    "rated_order_amend": lambda cast: (
        (order := issue(cast))
        and Case(
            lambda: order_changes.rated_order_amend(
                order=order,
                actor=cast.approver,
                password="wrong",
                reason="More.",
                items=[
                    order_changes.AmendedItem(
                        position=1,
                        description="Skid",
                        quantity="20",
                        unit="each",
                        required_dates=[order.versions.get().earliest_required_date],
                    )
                ],
            ),
            "rated_order.amend",
            order,
        )
    ),
    "rated_order_cancel": lambda cast: (
        (order := issue(cast))
        and Case(
            lambda: order_changes.rated_order_cancel(order=order, actor=cast.supplier, password="x", reason="Stop."),
            "rated_order.cancel",
            order,
        )
    ),
    "order_document_retry": lambda cast: (
        (version := _failed_version(cast))
        and Case(
            lambda: order_documents.order_document_retry(version=version, actor=cast.auditor),
            "rated_order.document_retry",
            version,
        )
    ),
    "order_document_download": lambda cast: (
        (order := issue(cast))
        and Case(
            lambda: order_documents.order_document_download(
                order_number=order.order_number, version=1, actor=cast.supplier2
            ),
            "rated_order.document_download",
            order,
            NotFound,
        )
    ),
    "rated_order_accept": lambda cast: (
        (order := issue(cast))
        and Case(
            lambda: supplier_responses.rated_order_accept(order=order, actor=cast.supplier2),
            "rated_order.accept",
            order,
        )
    ),
    "rated_order_reject": lambda cast: (
        (order := issue(cast))
        and Case(
            lambda: supplier_responses.rated_order_reject(
                order=order, actor=cast.supplier2, reason_code="not_supplied", explanation="We do not make it."
            ),
            "rated_order.reject",
            order,
        )
    ),
    "rated_order_notify_delay": lambda cast: (
        (order := accepted(cast))
        and Case(
            lambda: supplier_responses.rated_order_notify_delay(
                order=order, actor=cast.supplier2, reasons="Late parts.", new_date="2099-01-01"
            ),
            "rated_order.notify_delay",
            order,
        )
    ),
    "rated_order_mark_fulfilled": lambda cast: (
        (order := accepted(cast))
        and Case(
            lambda: supplier_responses.rated_order_mark_fulfilled(order=order, actor=cast.supplier2),
            "rated_order.mark_fulfilled",
            order,
        )
    ),
    "flowdown_order_create": lambda cast: (
        (order := accepted(cast))
        and Case(
            lambda: flowdown.flowdown_order_create(
                parent=order,
                actor=cast.supplier,
                sub_supplier=cast.supplier_org2,
                po_number="PO-9",
                items=[
                    flowdown.FlowdownItemInput(
                        description="Resin", quantity="1", unit="kg", required_dates=["2099-01-01"]
                    )
                ],
                password="wrong",
            ),
            "rated_order.flowdown",
            order,
        )
    ),
    "notification_resend": lambda cast: (
        (_in(cast, RequestState.SUBMITTED) and (notice := _failed_notice(cast)))
        and Case(
            lambda: outbox.notification_resend(notification=notice, actor=cast.applicant), "notification.resend", notice
        )
    ),
    "notification_mark_read": lambda cast: (
        (
            _in(cast, RequestState.SUBMITTED)
            and (notice := Notification.objects.filter(recipient=cast.applicant).first())
        )
        and Case(
            lambda: outbox.notification_mark_read(notification=notice, actor=cast.applicant2),
            "notification.read",
            notice,
        )
    ),
    "rating_request_hold_place": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: holds.rating_request_hold_place(rating_request=rr, actor=cast.auditor, reason="Litigation"),
            "legal_hold.place",
            rr,
        )
    ),
    "rating_request_hold_release": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: holds.rating_request_hold_release(rating_request=rr, actor=cast.applicant, reason="Done"),
            "legal_hold.release",
            rr,
        )
    ),
    "rating_request_bundle": lambda cast: (
        (rr := _in(cast, RequestState.SUBMITTED))
        and Case(
            lambda: evidence.rating_request_bundle(
                reference=rr.reference, out=pathlib.Path("/nonexistent"), actor=cast.applicant
            ),
            "audit.bundle",
            rr,
        )
    ),
    "supplier_contact_invite": lambda cast: Case(
        lambda: invitations.supplier_contact_invite(
            organization=cast.supplier_org,
            email="x@filtra.example",
            first_name="X",
            last_name="Y",
            actor=cast.applicant,
        ),
        "supplier_contact.invite",
    ),
    "supplier_contact_reinvite": lambda cast: (
        (user := _invited(cast))
        and Case(
            lambda: invitations.supplier_contact_reinvite(user=user, actor=cast.applicant),
            "supplier_contact.reinvite",
            user,
        )
    ),
    "invitation_accept": lambda cast: (
        (user := _invited(cast))
        and Case(
            lambda: invitations.invitation_accept(user=user, token="1-forged", password="a long new password 42"),
            "supplier_contact.invitation_accepted",
            user,
        )
    ),
}


CASES.update(accounts_cases(Case))
CASES.update(suppliers_cases(Case))
CASES.update(api_cases(Case, _draft))
CASES.update(program_cases(Case))
CASES.update(placing_cases(Case))
CASES.update(authorization_cases(Case))


def _row_state(row: models.Model | None) -> tuple[Any, ...]:
    if row is None:
        return ()
    fresh = type(row)._default_manager.get(pk=row.pk)
    names = [f.attname for f in fresh._meta.concrete_fields]
    return tuple(getattr(fresh, name) for name in names)


def _row_counts() -> dict[str, int]:
    """Rows of every model but the audit events (checked one by one above)."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("ratings", "audit")
        for model in apps.get_app_config(app).get_models()
        if model is not AuditEvent
    }


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_refused_write_is_audited_once_and_changes_nothing(service, cast, django_capture_on_commit_callbacks):
    # given
    case = CASES[service](cast)
    before_row, before_counts = _row_state(case.target), _row_counts()
    start = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0

    # when
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(case.error) as raised:
        case.call()

    # then
    events = list(AuditEvent.objects.filter(sequence__gt=start).order_by("sequence"))
    assert [(e.action, e.outcome) for e in events] == [(case.action, Outcome.DENIED)]
    assert events[0].reason == (raised.value.message if case.error is PermissionRefused else events[0].reason)
    assert events[0].reason
    assert callbacks == []
    assert _row_state(case.target) == before_row
    assert _row_counts() == before_counts


def _calls_the_path(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in {"perform", "perform_create"}
        for call in ast.walk(node)
    )


def _write_services() -> set[str]:
    """Public functions in ratings/services that act for a person (take `actor`) or run the path."""
    names = set()
    for path in SERVICES_DIR.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if "actor" in [arg.arg for arg in node.args.kwonlyargs] or _calls_the_path(node):
                names.add(node.name)
    return names - INNER_STEPS - PATH_FUNCTIONS


def test_every_write_service_is_in_the_refusal_list():
    assert _write_services() == set(CASES)


def test_the_fsm_declares_the_same_permission_rules_the_services_check(cast):
    """RatingRequest and RatedOrder transitions declare `permission=`; it agrees with the rule."""
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    order = RatedOrder(supplier=cast.supplier_org, placing_organization=cast.manufacturer, level="DO")
    for user in (cast.approver, cast.reviewer, cast.auditor, cast.applicant, cast.hhsadmin):
        assert has_transition_perm(rr.approve, user) == (workflow.ACTIONS["approve"].permission(rr, user) is None)
        assert has_transition_perm(rr.deny, user) == (workflow.ACTIONS["deny"].permission(rr, user) is None)
    for user in (cast.supplier, cast.supplier2, cast.approver, cast.auditor):
        assert has_transition_perm(order.accept, user) == (supplier_responses.ACCEPT.permission(order, user) is None)
        assert has_transition_perm(order.cancel, user) == (order_changes.CANCEL.permission(order, user) is None)
