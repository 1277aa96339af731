"""Pages that tell the truth about an order: what they show belongs to its current version, each
version shows its own issue time and what it changed, a cancelled order says so and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ratings.clock import agency_time
from ratings.models import RatedOrder
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import PASSWORD, otp
from tests.portal.conftest import login
from tests.portal.orders import issue

pytestmark = pytest.mark.django_db


def _issued_days_ago(order: RatedOrder, days: int) -> RatedOrder:
    """Given: the order was issued `days` ago, so each version's own time can be told apart."""
    earlier = timezone.now() - dt.timedelta(days=days)
    RatedOrder.objects.filter(pk=order.pk).update(issued_at=earlier)
    order.versions.filter(number=1).update(issued_at=earlier)
    return RatedOrder.objects.get(pk=order.pk)


def _amend_dates(cast, order: RatedOrder, days_later: int) -> RatedOrder:
    item = order.versions.get(number=order.current_version).items_snapshot[0]
    moved = [(dt.date.fromisoformat(d["date"]) + dt.timedelta(days=days_later)) for d in item["required_dates"]]
    return order_changes.rated_order_amend(
        order=order,
        actor=cast.approver,
        password=PASSWORD,
        otp=otp(cast.approver),
        reason="The clinic opens later.",
        items=[
            order_changes.AmendedItem(
                position=1,
                description=item["description"],
                quantity=item["quantity"],
                unit=item["unit"],
                required_dates=moved,
                ship_to=item["ship_to"],
            )
        ],
    )


def test_an_order_amended_after_a_rejection_shows_version_2_unanswered_with_its_own_time(client: Client, cast):
    # Given an order the supplier rejected, then HHS moved its dates (a new rated order)
    order = _issued_days_ago(issue(cast), 3)
    supplier_responses.rated_order_reject(
        order=order, actor=cast.supplier, reason_code="not_supplied", explanation="We do not make it."
    )
    order = _amend_dates(cast, order, 10)
    v1, v2 = order.versions.order_by("number")

    # When the applicant opens the request page
    login(client, cast.applicant)
    response = client.get(reverse("portal:request-detail", args=[order.source_request_id]))

    # Then the row is version 2's: its own time, no answer yet, the rejection of version 1 set aside
    (row,) = response.context["orders"]
    assert (row.order.status, row.version.number, row.version.issued_at) == ("amended", 2, v2.issued_at)
    assert row.state_text == (
        "Not answered yet (version 2). The supplier’s answer to version 1 (rejected) no longer applies."
    )
    body = response.content.decode()
    assert f"2, issued {agency_time(v2.issued_at)}" in body

    # And the supplier's page says version 2 was issued at its own time, and what changed
    login(client, cast.supplier)
    page = client.get(reverse("portal:order-detail", args=[order.order_number])).content.decode()
    assert (
        f'data-testid="issued">{agency_time(v2.issued_at)} (version 2); first issued {agency_time(v1.issued_at)}'
    ) in page
    before, after = v1.items_snapshot[0]["required_dates"][0]["date"], v2.items_snapshot[0]["required_dates"][0]["date"]
    versions = page.split('data-testid="versions"', 1)[1]
    assert "Version 2: amendment" in versions
    assert "Reason: The clinic opens later." in versions
    assert "A new rated order: it needs a new answer (45 CFR 101.36(c))." in versions
    assert (
        f'data-label="What">Delivery schedule</td><td data-label="Before">{before}</td><td data-label="After">{after}</td>'
        in versions
    )

    # And the applicant's page of the order shows the same change
    login(client, cast.applicant)
    placed = client.get(reverse("portal:placed-order", args=[order.order_number])).content.decode()
    assert f'data-label="Before">{before}</td><td data-label="After">{after}</td>' in placed


def test_a_cancelled_order_shows_cancelled_with_its_reason_not_unanswered(client: Client, cast):
    order = issue(cast)
    order = order_changes.rated_order_cancel(
        order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Trial stopped"
    )

    login(client, cast.applicant)
    response = client.get(reverse("portal:request-detail", args=[order.source_request_id]))

    (row,) = response.context["orders"]
    assert row.state_text == f"Cancelled {agency_time(order.cancelled_at)}. Reason: Trial stopped."
    body = response.content.decode()
    assert "Not answered yet" not in body
    assert "Rated order cancelled (" + order.order_number + ")" in body  # the status timeline
    placed = client.get(reverse("portal:placed-order", args=[order.order_number])).content.decode()
    assert 'data-testid="cancellation-reason">Trial stopped</dd>' in placed
    assert "The order was cancelled before the supplier answered." in placed
