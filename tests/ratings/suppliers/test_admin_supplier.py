"""The HHS order page shows the supplier's responses, the clock, the flow-down tree and notices."""

from __future__ import annotations

from ratings.constants import RejectionReason
from ratings.services.orders import reminders as order_reminders
from ratings.services.suppliers import responses as sr
from tests.ratings.suppliers.conftest import extend, future, issued, supplier_org


def test_staff_see_responses_tree_clock_and_notices_on_the_order_page(cast, client, django_capture_on_commit_callbacks):
    # given an accepted order extended to a sub-tier supplier that rejected it
    top = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    membrana, contact = supplier_org("Membrana Inc.")
    child = extend(top, cast.supplier, membrana, django_capture_on_commit_callbacks)
    earliest = future(90)
    sr.rated_order_reject(
        order=child,
        actor=contact,
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        explanation="Membrane line is full.",
        earliest_date=earliest,
        offers_to_accept=True,
    )
    client.force_login(cast.intake)

    # when HHS opens the sub-tier order
    body = client.get(f"/admin/ratings/ratedorder/{child.pk}/change/").content.decode()

    # then
    assert "Supplier responses (signed records, 15 CFR 700.13)" in body
    assert "Membrana Contact" in body and "Rejected: the supplier rejects the rated order" in body
    assert f"Earliest date possible: {earliest.isoformat()} (offers to accept on that basis)" in body
    assert top.order_number in body and child.order_number in body  # the tree, from its root
    assert "Received " in body and "clock closed" in body
    assert f"{child.order_number}: new rated order (DO-HR)" in body  # the notice to the sub-tier
    assert order_reminders.order_reminders_send().escalated == []
