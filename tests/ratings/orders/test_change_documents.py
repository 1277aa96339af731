"""What each generated document holds, and what it must not: amendments and cancellations (45 CFR
101.36), emergency orders (45 CFR 101.32(c)). Text extracted with pypdf from the stored PDF."""

from __future__ import annotations

from ratings.constants import (
    CANCELLATION_SUB_TIER_DUTY,
    EMERGENCY_PREPAREDNESS_STATEMENT,
    RATED_ORDER_CERTIFICATION,
    DocumentKind,
)
from ratings.models import RatedOrderVersion
from ratings.services.items import DeliveryInput
from ratings.services.orders import changes as order_changes
from tests.factories import PASSWORD, otp
from tests.ratings.orders.conftest import as_amended, flat, issue_orders, pdf_pages, split_items


def _text(version: RatedOrderVersion) -> str:
    return flat("\n".join(pdf_pages(version.documents.get(kind=version.kind).file.open("rb").read())))


def _emergency_order(cast, callbacks):
    (order,) = issue_orders(
        cast, callbacks, split_items(cast.supplier_org, 2), is_emergency=True, emergency_response_hours=36
    )
    return order


def test_101_32_c_an_emergency_order_states_it_is_for_emergency_preparedness_with_its_time_limit(
    cast, django_capture_on_commit_callbacks
):
    order = _emergency_order(cast, django_capture_on_commit_callbacks)
    text = _text(order.versions.get())
    assert "Emergency preparedness rated order (45 CFR 101.32(c))" in text
    assert flat(EMERGENCY_PREPAREDNESS_STATEMENT.format(hours=36)) in text
    assert "require their answer within the same time limit (45 CFR 101.35)" in text
    assert "working days of receipt" not in text
    assert flat(RATED_ORDER_CERTIFICATION) in text


def test_101_36_an_amendment_prints_what_changed_before_and_after_item_by_item(
    cast, django_capture_on_commit_callbacks
):
    # given
    (order,) = issue_orders(cast, django_capture_on_commit_callbacks, split_items(cast.supplier_org, 2))
    before = order.versions.get().items_snapshot

    # when item 2's first delivery is cut from 500 to 400 (and its total with it)
    item = before[1]
    cut = as_amended(
        item,
        quantity="700",
        required_dates=[
            DeliveryInput(item["required_dates"][0]["date"], "400"),
            DeliveryInput(item["required_dates"][1]["date"], "300"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="Fewer doses needed.",
            items=[as_amended(before[0]), cut],
        )

    # then
    text = _text(order.versions.get(number=2))
    first, second = (d["date"] for d in item["required_dates"])
    assert "Amendment (version 2) Not significant. Reason: Fewer doses needed." in text
    assert "What changed # Changed Before After Effect" in text
    assert "2 Quantity 800 each 700 each reduction in the total amount (45 CFR 101.36(d))" in text
    assert f"2 Delivery schedule {first}: 500 each; {second}: 300 each {first}: 400 each; {second}: 300 each" in text
    assert "This amendment is not a new rated order (45 CFR 101.36(d))" in text
    assert flat(RATED_ORDER_CERTIFICATION) in text


def test_101_36_a_cancellation_notice_has_its_own_content_and_none_of_the_order_duties(
    cast, django_capture_on_commit_callbacks
):
    """45 CFR 101.36(e)-(f): what is cancelled, why, when, the duty to pass it on; no
    certification, no duty to accept or reject, no amendment block, no emergency limit."""
    # given an emergency order that was amended before it is cancelled
    order = _emergency_order(cast, django_capture_on_commit_callbacks)
    before = order.versions.get().items_snapshot
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="New dock.",
            items=[as_amended(item, ship_to="Dock 9") for item in before],
        )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Trial stopped."
        )

    # then
    notice = order.versions.get(number=3)
    assert notice.kind == DocumentKind.CANCELLATION
    text = _text(notice)
    signed = text.split("Electronic signature")[1]
    assert f"Notice of cancellation of rated order {order.order_number}" in text
    assert "CANCELLED The priority rating DO-HR no longer applies to this order." in text
    assert f"What is cancelled Rated order {order.order_number} (version 2 and every item listed below)" in text
    assert "Why Trial stopped." in text
    assert "When and by whom Effective" in text and "by official action of HHS (45 CFR 101.36(a)(1))" in text
    assert flat(CANCELLATION_SUB_TIER_DUTY) in text
    assert "Items cancelled" in text and "Dock 9" in text
    assert "Meaning: Cancelled: withdraws the priority rating" in signed
    for absent in (
        flat(RATED_ORDER_CERTIFICATION),
        "Accept or reject",
        "working days",
        "hours of receipt",
        "Emergency preparedness",
        "Amendment",
        "Original order",
        "What changed",
    ):
        assert absent not in text, absent
