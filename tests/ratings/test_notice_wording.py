"""Notices read as sentences: an organization's name that ends in a period ends the sentence once,
and a staff notice names the applicant once."""

from __future__ import annotations

from ratings.constants import NotificationKind, RequestState
from ratings.models import Notification, Organization
from tests.factories import request_in_state


def test_a_name_ending_in_a_period_ends_the_sentence_once(cast):
    Organization.objects.filter(pk=cast.supplier_org.pk).update(legal_name="Filtra Process Systems Corp.")
    Organization.objects.filter(pk=cast.manufacturer.pk).update(legal_name="Acme Vaccines, Inc.")

    rr = request_in_state(cast, RequestState.ISSUED)

    order = rr.rated_orders.get()
    issued = Notification.objects.get(kind=NotificationKind.ORDER_ISSUED)
    assert (
        f"New rated order: rated order {order.order_number} (DO-{rr.program.symbol}), version 1, "
        "from Acme Vaccines, Inc. to Filtra Process Systems Corp.\n" in issued.body_text
    )
    submitted = Notification.objects.get(kind=NotificationKind.REQUEST_SUBMITTED)
    assert (
        f"Rating request {rr.reference} (DO-{rr.program.symbol}, mRNA vaccine): "
        "new submission from Acme Vaccines, Inc.\n" in submitted.body_text
    )
    to_signer = Notification.objects.get(kind=NotificationKind.AUTHORIZATION_ISSUED)
    for notice in (issued, submitted, to_signer):
        assert ".." not in notice.body_text
        assert ".." not in notice.body_html
