"""Home pages that triage: what needs attention comes first, most urgent first, each item
leading to the reader's own page of the order, with tags coloured by meaning."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from ratings.constants import RejectionReason
from ratings.models import RatedOrderVersion
from ratings.selectors import attention
from ratings.services.suppliers import responses as supplier_responses
from tests.portal.conftest import login
from tests.portal.orders import accepted, issue


def _later(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _overdue(order) -> None:
    RatedOrderVersion.objects.filter(order=order).update(
        received_at=timezone.now() - dt.timedelta(days=30), response_due_at=timezone.now() - dt.timedelta(days=1)
    )


def test_the_customer_sees_overdue_rejected_offered_and_delayed_orders_first(client, cast):
    # given: five orders to the same supplier, four with something to look at
    offered = supplier_responses.rated_order_reject(
        order=issue(cast),
        actor=cast.supplier,
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        explanation="Line full.",
        earliest_date=_later(90),
        offers_to_accept=True,
    )
    rejected = supplier_responses.rated_order_reject(
        order=issue(cast), actor=cast.supplier, reason_code=RejectionReason.NOT_SUPPLIED, explanation="Not ours."
    )
    late = issue(cast)
    _overdue(late)
    delayed = supplier_responses.rated_order_notify_delay(
        order=accepted(cast), actor=cast.supplier, reasons="Resin shortage.", new_date=_later(80)
    )
    accepted(cast)  # on track: nothing to look at

    # when
    items = attention.for_customer(cast.applicant)

    # then
    assert [(i.kind, i.order.pk) for i in items] == [
        ("overdue", late.pk),
        ("rejected", rejected.pk),
        ("offer", offered.pk),
        ("delay", delayed.pk),
    ]
    assert items[2].text == (
        f"Filtra Corp rejected it but offers to accept with the date {_later(90).strftime('%A, %B %-d, %Y')}."
    )
    assert attention.for_customer(cast.applicant2) == []  # another manufacturer's
    login(client, cast.applicant)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert html.index('data-testid="attention"') < html.index('id="questions-heading"')
    assert (
        f'<span class="usa-tag dpa-tag dpa-tag--error">Rejected</span> <a class="text-bold" '
        f'href="/portal/placed/{rejected.order_number}/">Rated order {rejected.order_number}</a>'
    ) in html
    assert '<span class="usa-tag dpa-tag dpa-tag--action">Offer of another date</span>' in html
    assert '<span class="usa-tag dpa-tag dpa-tag--success">Approved, orders sent</span>' in html


def test_the_supplier_sees_its_overdue_answers_and_delays_to_confirm_first(client, cast):
    # given
    late = issue(cast)
    _overdue(late)
    reported = supplier_responses.rated_order_record_delay_report(
        order=accepted(cast), actor=cast.applicant, reasons="Press down.", new_date=_later(70), channel="phone call"
    )
    issue(cast)  # waiting, not yet due

    # when
    items = attention.for_supplier(cast.supplier)

    # then
    assert [(i.kind, i.order.pk, i.side) for i in items] == [
        ("overdue", late.pk, "supplier"),
        ("delay_confirmation", reported.pk, "supplier"),
    ]
    assert attention.for_supplier(cast.supplier2) == []
    login(client, cast.supplier)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert html.index('data-testid="attention"') < html.index('data-testid="awaiting-orders"')
    assert f'href="/portal/orders/{late.order_number}/">Rated order {late.order_number}</a>' in html
    assert '<span class="usa-tag dpa-tag dpa-tag--info">Issued</span>' in html


def test_nothing_to_look_at_says_so(client, cast):
    login(client, cast.applicant)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "No rated order of yours needs attention" in html
