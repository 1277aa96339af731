"""Acceptance: supplier responses (accept, reject, delay, fulfilled) as signed, audited records."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import ConcurrentChange, InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import (
    SUPPLIER_RESPONSE_MEANINGS,
    NotificationKind,
    OrderStatus,
    RatingLevel,
    RejectionReason,
    SupplierResponseKind,
)
from ratings.models import Notification, RatedOrder, SupplierResponse
from ratings.services.suppliers import responses as sr
from tests.ratings.suppliers.conftest import future, issued


def snapshot(order: RatedOrder) -> tuple:
    order = RatedOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.current_version,
        SupplierResponse.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        order.versions.get(number=order.current_version).clock_closed_at,
    )


def test_the_supplier_accepts_with_a_signed_record_and_the_placer_and_intake_are_told(
    cast, django_capture_on_commit_callbacks
):
    # given an order whose notice reached the supplier
    order = issued(cast, django_capture_on_commit_callbacks)
    version = order.versions.get()
    assert version.received_at is not None and version.response_due_at is not None

    # when its contact accepts
    with django_capture_on_commit_callbacks(execute=True):
        order = sr.rated_order_accept(order=order, actor=cast.supplier, expected_version=1)

    # then
    assert order.status == OrderStatus.ACCEPTED
    response = SupplierResponse.objects.get()
    assert (response.kind, response.version, response.responder) == (
        SupplierResponseKind.ACCEPT,
        version,
        cast.supplier,
    )
    assert response.printed_name == cast.supplier.printed_name
    assert response.meaning == SUPPLIER_RESPONSE_MEANINGS[SupplierResponseKind.ACCEPT]
    assert response.responded_at.utcoffset() == dt.timedelta(0)
    assert len(response.content_sha256) == 64
    assert response.late is False
    version.refresh_from_db()
    assert version.clock_closed_at == response.responded_at
    event = AuditEvent.objects.get(action="rated_order.accept")
    assert (event.outcome, event.from_state, event.to_state) == ("success", "issued", "accepted")
    assert event.data["signature"] == {"printed_name": response.printed_name, "meaning": response.meaning}
    told = Notification.objects.filter(kind=NotificationKind.ORDER_RESPONSE)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [cast.applicant.pk, cast.signer.pk, cast.intake.pk]
    )


@pytest.mark.parametrize(
    ("reason_code", "explanation", "earliest", "field"),
    [
        ("", "We cannot.", None, "reason_code"),
        ("because", "We cannot.", None, "reason_code"),
        (RejectionReason.NOT_SUPPLIED, "   ", None, "explanation"),
        (RejectionReason.CANNOT_MEET_DATE, "Line is full.", None, "earliest_date"),
        (RejectionReason.CANNOT_MEET_DATE, "Line is full.", "ASAP", "earliest_date"),
        (RejectionReason.CANNOT_MEET_DATE, "Line is full.", "2020-01-01", "earliest_date"),
    ],
)
def test_a_rejection_without_reason_explanation_or_earliest_date_is_refused_and_changes_nothing(
    cast, django_capture_on_commit_callbacks, reason_code, explanation, earliest, field
):
    order = issued(cast, django_capture_on_commit_callbacks)
    before = snapshot(order)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationFailed) as error:
        sr.rated_order_reject(
            order=order, actor=cast.supplier, reason_code=reason_code, explanation=explanation, earliest_date=earliest
        )
    assert error.value.field == field
    assert snapshot(order) == before
    assert callbacks == []


def test_cannot_meet_the_date_records_the_earliest_date_and_the_offer(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    earliest = future(60)
    with django_capture_on_commit_callbacks(execute=True):
        order = sr.rated_order_reject(
            order=order,
            actor=cast.supplier,
            reason_code=RejectionReason.CANNOT_MEET_DATE,
            explanation="Our line is booked until spring.",
            earliest_date=earliest.isoformat(),
            offers_to_accept=True,
        )
    assert order.status == OrderStatus.REJECTED
    response = SupplierResponse.objects.get()
    assert (response.reason_code, response.earliest_date, response.offers_to_accept_on_that_basis) == (
        RejectionReason.CANNOT_MEET_DATE,
        earliest,
        True,
    )
    assert response.explanation == "Our line is booked until spring."
    event = AuditEvent.objects.get(action="rated_order.reject")
    assert event.data["earliest_date"] == earliest.isoformat()
    assert event.reason == "Our line is booked until spring."


def test_the_placing_party_reads_a_rejection_reason_in_words_without_the_suppliers_rule_note(
    cast, django_capture_on_commit_callbacks
):
    order = issued(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        sr.rated_order_reject(
            order=order,
            actor=cast.supplier,
            reason_code=RejectionReason.NOT_SUPPLIED,
            explanation="We stopped making it.",
        )
    told = Notification.objects.get(kind=NotificationKind.ORDER_RESPONSE, recipient=cast.applicant)
    # "(optional)" tells the supplier it may reject on that ground; to the customer it read as if
    # the reason itself were optional
    assert "Reason: Item not supplied or made by the supplier\n" in told.body_text
    assert "<p>Reason: Item not supplied or made by the supplier</p>" in told.body_html
    assert "(optional)" not in told.body_text + told.body_html


@pytest.mark.parametrize(
    ("level", "reason_code"),
    [
        (RatingLevel.DX, RejectionReason.INTERFERES_WITH_DO_DX),  # that reason is for DO orders
        (RatingLevel.DO, RejectionReason.INTERFERES_WITH_DX),  # that reason is for DX orders
    ],
)
def test_an_interference_reason_of_the_other_level_is_refused_and_changes_nothing(
    cast, django_capture_on_commit_callbacks, level, reason_code
):
    # given an order of one level
    order = issued(cast, django_capture_on_commit_callbacks, level=level)
    before = snapshot(order)

    # when the supplier cites the interference reason meant for the other level
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationFailed) as error:
        sr.rated_order_reject(order=order, actor=cast.supplier, reason_code=reason_code, explanation="Line is full.")

    # then it is refused (15 CFR 700.13(c)) and nothing changed
    assert error.value.field == "reason_code"
    assert f"this is a {level} order" in error.value.message
    assert snapshot(order) == before
    assert callbacks == []


@pytest.mark.parametrize(
    ("level", "reason_code"),
    [(RatingLevel.DO, RejectionReason.INTERFERES_WITH_DO_DX), (RatingLevel.DX, RejectionReason.INTERFERES_WITH_DX)],
)
def test_an_interference_reason_of_the_orders_own_level_is_accepted(
    cast, django_capture_on_commit_callbacks, level, reason_code
):
    order = issued(cast, django_capture_on_commit_callbacks, level=level)

    order = sr.rated_order_reject(
        order=order,
        actor=cast.supplier,
        reason_code=reason_code,
        explanation="Line is full.",
        earliest_date=future(40),
        offers_to_accept=True,
        conflicting_level=RatingLevel.DX,
    )

    response = SupplierResponse.objects.get()
    assert (order.status, response.reason_code, response.conflicting_level, response.earliest_date) == (
        OrderStatus.REJECTED,
        reason_code,
        RatingLevel.DX,
        future(40),
    )


def test_an_optional_reason_needs_no_earliest_date(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    order = sr.rated_order_reject(
        order=order, actor=cast.supplier, reason_code=RejectionReason.OWN_USE_ONLY, explanation="Internal only."
    )
    response = SupplierResponse.objects.get()
    assert (order.status, response.reason_code, response.earliest_date) == (
        OrderStatus.REJECTED,
        RejectionReason.OWN_USE_ONLY,
        None,
    )


@pytest.mark.parametrize("who", ["supplier2", "applicant", "intake", "approver", "auditor", "hhsadmin"])
def test_only_a_contact_of_the_orders_supplier_may_answer_and_the_refusal_is_audited(
    cast, django_capture_on_commit_callbacks, who
):
    # given an order addressed to Filtra
    order = issued(cast, django_capture_on_commit_callbacks)
    before = snapshot(order)
    events_before = AuditEvent.objects.count()
    # when someone else tries to accept it
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionRefused):
        sr.rated_order_accept(order=order, actor=getattr(cast, who))
    # then exactly one "denied" event, nothing else
    denied = AuditEvent.objects.order_by("sequence")[events_before:]
    assert [(e.action, e.outcome, e.actor_id) for e in denied] == [
        ("rated_order.accept", "denied", getattr(cast, who).pk)
    ]
    after = snapshot(order)
    assert after[:3] == before[:3] and after[4:] == before[4:]
    assert callbacks == []


def test_a_delay_is_notified_only_after_acceptance_with_reasons_and_a_new_date(
    cast, django_capture_on_commit_callbacks
):
    order = issued(cast, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidState):
        sr.rated_order_notify_delay(order=order, actor=cast.supplier, reasons="Late resin.", new_date=future(50))
    order = sr.rated_order_accept(order=order, actor=cast.supplier)
    before = snapshot(order)
    with pytest.raises(ValidationFailed):
        sr.rated_order_notify_delay(order=order, actor=cast.supplier, reasons="", new_date=future(50))
    with pytest.raises(ValidationFailed):
        sr.rated_order_notify_delay(order=order, actor=cast.supplier, reasons="Late resin.", new_date="soon")
    assert snapshot(order) == before

    order = sr.rated_order_notify_delay(order=order, actor=cast.supplier, reasons="Late resin.", new_date=future(50))

    assert order.status == OrderStatus.ACCEPTED  # a delay is a record, not a state
    delay = SupplierResponse.objects.get(kind=SupplierResponseKind.DELAY)
    assert (delay.new_date, delay.explanation) == (future(50), "Late resin.")
    assert delay.confirmation_due is None  # given in writing: nothing to confirm (15 CFR 700.13(d))


def test_fulfilled_only_after_acceptance(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidState):
        sr.rated_order_mark_fulfilled(order=order, actor=cast.supplier)
    order = sr.rated_order_accept(order=order, actor=cast.supplier)
    order = sr.rated_order_mark_fulfilled(order=order, actor=cast.supplier)
    assert order.status == OrderStatus.FULFILLED
    assert list(SupplierResponse.objects.values_list("kind", flat=True)) == ["accept", "fulfilled"]
    with pytest.raises(InvalidState):
        sr.rated_order_accept(order=order, actor=cast.supplier)


def test_an_answer_to_a_version_that_changed_is_refused(cast, django_capture_on_commit_callbacks):
    order = issued(cast, django_capture_on_commit_callbacks)
    before = snapshot(order)
    with pytest.raises(ConcurrentChange):
        sr.rated_order_accept(order=order, actor=cast.supplier, expected_version=2)
    assert snapshot(order) == before
