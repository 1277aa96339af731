"""Return for correction and resubmission: where a request goes, what is kept, who may, the clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.clock import review_clock
from ratings.constants import NotificationKind, RequestState
from ratings.models import Notification, RatingRequest, RequestSubmission
from ratings.selectors.submissions import Change, content_diff, submission_history
from ratings.services.requests import corrections, drafts, workflow
from tests.factories import line_item, request_in_state
from tests.helpers import assert_refused

S = RequestState
NY = ZoneInfo("America/New_York")


def returned(
    cast, state: str = S.SUBMITTED, reason: str = "Attach the supplier's quote and fix item 1."
) -> RatingRequest:
    rr = request_in_state(cast, state)
    actor = cast.intake if state == S.SUBMITTED else cast.reviewer
    return corrections.rating_request_return_for_correction(rating_request=rr, actor=actor, reason=reason)


def resubmit(cast, rr: RatingRequest, note: str = "") -> RatingRequest:
    return corrections.rating_request_resubmit(
        rating_request=rr,
        actor=cast.applicant,
        attestation=workflow.Attestation(cast.applicant.printed_name, True),
        note=note,
    )


@pytest.mark.parametrize(("state", "back_to"), [(S.SUBMITTED, S.SUBMITTED), (S.IN_REVIEW, S.IN_REVIEW)])
def test_a_returned_request_goes_back_where_it_came_from_with_its_reviewer(cast, state, back_to):
    rr = returned(cast, state)
    assert (rr.state, rr.returned_from, rr.review_paused_at is not None) == (S.RETURNED, state, True)

    again = resubmit(cast, rr, note="Quote attached.")

    assert (again.state, again.returned_from, again.review_paused_at) == (back_to, "", None)
    assert again.assigned_reviewer == (cast.reviewer if state == S.IN_REVIEW else None)
    first, second = RequestSubmission.objects.filter(request=rr).order_by("number")
    assert (first.number, first.returned_by, first.returned_from) == (1, rr_actor(cast, state), state)
    assert first.return_reason == "Attach the supplier's quote and fix item 1."
    assert (second.number, second.returned_at, second.applicant_note) == (2, None, "Quote attached.")


def rr_actor(cast, state):
    return cast.intake if state == S.SUBMITTED else cast.reviewer


def test_the_applicant_edits_a_returned_request_and_the_reviewer_sees_each_changed_field(cast):
    rr = returned(cast, S.IN_REVIEW)
    rr = drafts.rating_request_set_line_items(
        rating_request=rr,
        actor=cast.applicant,
        line_items=[line_item(cast.supplier_org, quantity="12"), line_item(cast.supplier_org2, po="PO-2")],
    )
    details = drafts.RequestDetails(
        **{name: getattr(rr, name) for name in drafts.DETAIL_FIELDS} | {"justification_need": "Skids for line 2."}
    )
    rr = drafts.rating_request_update(rating_request=rr, actor=cast.applicant, details=details)
    resubmit(cast, rr)

    history = submission_history(rr)
    assert history.compared == (1, 2)
    changes = [(c.section, c.field, c.before, c.after) for c in history.latest_changes]
    assert changes == [
        ("Justification", "Need", "Need filtration skids.", "Skids for line 2."),
        ("Item 1", "Quantity", "10", "12"),
        ("Item 2", "Item added", "—", "Filtration skid — 10 each from PumpCo"),
    ]


def test_the_stored_submission_is_what_was_certified_and_never_changes(cast):
    rr = returned(cast, S.SUBMITTED)
    before = RequestSubmission.objects.get(request=rr, number=1).content
    drafts.rating_request_set_line_items(
        rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org, quantity="99")]
    )
    assert RequestSubmission.objects.get(request=rr, number=1).content == before
    assert before["items"][0]["quantity"] == "10"
    assert before["details"]["program"] == "HR" and before["attachments"] == []


def test_return_needs_a_reason_and_changes_nothing_without_one(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, S.SUBMITTED)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: corrections.rating_request_return_for_correction(rating_request=rr, actor=cast.intake, reason=" "),
        ValidationFailed,
        match="Say what the applicant must correct",
    )
    assert not RequestSubmission.objects.filter(request=rr, returned_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("state", "who", "message"),
    [
        (S.SUBMITTED, "reviewer", "Only an HHS intake analyst can do this."),
        (S.IN_REVIEW, "intake", "Only an HHS reviewer can do this."),
        (S.IN_REVIEW, "reviewer2", "Only the reviewer assigned to this request can do this."),
        (S.SUBMITTED, "applicant", "Only an HHS intake analyst can do this."),
        (S.SUBMITTED, "auditor", "Auditors have read-only access and take no action."),
    ],
)
def test_only_intake_or_the_assigned_reviewer_returns_a_request(
    cast, django_capture_on_commit_callbacks, state, who, message
):
    rr = request_in_state(cast, state)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: corrections.rating_request_return_for_correction(
            rating_request=rr, actor=getattr(cast, who), reason="Fix."
        ),
        PermissionRefused,
        action="return_for_correction",
        match=message,
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.INFO_REQUESTED, S.RECOMMENDED, S.ISSUED])
def test_a_request_is_returned_only_from_intake_or_review(cast, django_capture_on_commit_callbacks, state):
    rr = request_in_state(cast, state)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: corrections.rating_request_return_for_correction(rating_request=rr, actor=cast.intake, reason="x"),
        InvalidState,
    )


def test_resubmission_re_certifies_and_refuses_an_incomplete_request(cast, django_capture_on_commit_callbacks):
    rr = returned(cast)
    rr = drafts.rating_request_set_line_items(rating_request=rr, actor=cast.applicant, line_items=[])
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: resubmit(cast, rr),
        ValidationFailed,
        match="add at least one line item",
    )
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: corrections.rating_request_resubmit(
            rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation("Someone Else", True)
        ),
        ValidationFailed,
    )


def test_only_returned_and_draft_requests_are_edited(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, S.SUBMITTED)
    assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: drafts.rating_request_set_line_items(
            rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org)]
        ),
        InvalidState,
        match="only drafts and requests returned for correction can be edited",
    )


def test_the_applicant_may_withdraw_a_returned_request(cast):
    rr = returned(cast, S.IN_REVIEW)
    rr = workflow.rating_request_withdraw(rating_request=rr, actor=cast.applicant, reason="No longer needed.")
    assert (rr.state, rr.returned_from) == (S.WITHDRAWN, "")
    told = Notification.objects.filter(kind=NotificationKind.REQUEST_WITHDRAWN)
    assert [n.recipient for n in told] == [cast.reviewer]  # the reviewer it was returned from


def test_the_loop_is_in_the_audit_trail_and_notices_go_to_the_applicant_then_the_reviewer(cast):
    rr = returned(cast, S.IN_REVIEW, reason="Fix item 1.")
    rr = drafts.rating_request_set_line_items(
        rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org, quantity="12")]
    )
    resubmit(cast, rr, note="Quantity fixed.")

    events = AuditEvent.objects.filter(reference=rr.reference, outcome="success").order_by("sequence")
    assert [e.action for e in events][-3:] == [
        "rating_request.return_for_correction",
        "rating_request.set_line_items",
        "rating_request.resubmit",
    ]
    back, edit, again = list(events)[-3:]
    assert (back.from_state, back.to_state, back.reason) == (S.IN_REVIEW, S.RETURNED, "Fix item 1.")
    assert back.data == {"submission": 1, "returned_from": S.IN_REVIEW}
    assert (again.from_state, again.to_state, again.data["submission"]) == (S.RETURNED, S.IN_REVIEW, 2)
    assert edit.changes["line_items"][1][0]["quantity"] == "12.000"
    kinds = {(n.kind, n.recipient_id) for n in Notification.objects.filter(key__contains=f"rating_request:{rr.pk}:")}
    assert (NotificationKind.RETURNED_FOR_CORRECTION, cast.applicant.pk) in kinds
    assert (NotificationKind.REQUEST_RESUBMITTED, cast.reviewer.pk) in kinds
    returned_notice = Notification.objects.get(kind=NotificationKind.RETURNED_FOR_CORRECTION)
    assert "Fix item 1." in returned_notice.body_text
    assert returned_notice.link.endswith(f"/portal/requests/{rr.pk}/")


# --- the review clock waits while the applicant holds the request -------------------------------


def at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=NY)


def _dated(rr: RatingRequest, submitted: dt.datetime, returned_at: dt.datetime, resubmitted: dt.datetime | None):
    RatingRequest.objects.filter(pk=rr.pk).update(submitted_at=submitted)
    RequestSubmission.objects.filter(request=rr, number=1).update(submitted_at=submitted, returned_at=returned_at)
    RequestSubmission.objects.filter(request=rr, number=2).update(submitted_at=resubmitted)
    return RatingRequest.objects.get(pk=rr.pk)


def test_the_clock_pauses_from_the_return_to_the_resubmission(cast, settings):
    settings.REVIEW_CLOCK_WHEN_RETURNED = "pause"
    rr = resubmit(cast, returned(cast, S.IN_REVIEW))
    # submitted Wed Nov 25 2026 (due Dec 10); returned Tue Dec 1, resubmitted Fri Dec 4: 3 days paused
    rr = _dated(rr, at(2026, 11, 25), at(2026, 12, 1), at(2026, 12, 4, 15))
    clock = review_clock(rr, now=at(2026, 12, 11))
    assert (clock.started_on, clock.paused_working_days, clock.due_on, clock.overdue) == (
        dt.date(2026, 11, 25),
        3,
        dt.date(2026, 12, 15),
        False,
    )


def test_the_clock_stands_still_while_the_request_is_returned(cast):
    rr = returned(cast, S.IN_REVIEW)
    RatingRequest.objects.filter(pk=rr.pk).update(submitted_at=at(2026, 11, 25))
    RequestSubmission.objects.filter(request=rr).update(returned_at=at(2026, 12, 3))
    months_later = review_clock(RatingRequest.objects.get(pk=rr.pk), now=at(2027, 3, 1))
    assert months_later.paused_since == at(2026, 12, 3)
    assert (months_later.elapsed_working_days, months_later.overdue) == (5, False)


def test_the_clock_restarts_at_the_resubmission_when_the_setting_says_so(cast, settings):
    settings.REVIEW_CLOCK_WHEN_RETURNED = "restart"
    rr = resubmit(cast, returned(cast, S.SUBMITTED))
    rr = _dated(rr, at(2026, 11, 25), at(2026, 11, 30), at(2026, 12, 7))
    clock = review_clock(rr, now=at(2026, 12, 8))
    # day 0 is Mon Dec 7, the resubmission; 10 working days later is Mon Dec 21
    assert (clock.started_on, clock.due_on, clock.paused_working_days) == (
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 21),
        0,
    )


def test_content_diff_names_removed_items_and_files(cast):
    before = {
        "details": {"requested_level": "DO"},
        "items": [{"position": 1, "description": "Skid", "quantity": "1", "unit": "each", "supplier": "Filtra"}],
        "attachments": [{"name": "quote.pdf", "sha256": "a", "size": 1}],
    }
    after = {"details": {"requested_level": "DX"}, "items": [], "attachments": [{"name": "q2.pdf", "sha256": "b"}]}
    assert content_diff(before, after) == [
        Change("Details", "Rating level", "DO", "DX"),
        Change("Item 1", "Item removed", "Skid — 1 each from Filtra", "—"),
        Change("Attachments", "File added", "—", "q2.pdf"),
        Change("Attachments", "File removed", "quote.pdf", "—"),
    ]
