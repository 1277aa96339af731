"""Acceptance: precedence (15 CFR 700.14) and conflict flags on the supplier's order list."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

from ratings.constants import RatingLevel
from ratings.models import RatedOrder
from ratings.models.precedence import precedence_key
from ratings.selectors.orders import item_key, order_conflicts, rated_orders_for, supplier_orders_for
from ratings.services.requests import workflow
from ratings.services.suppliers import responses as sr
from tests.factories import PASSWORD, line_item, otp, place_orders
from tests.ratings.orders.conftest import recommended_with_items
from tests.ratings.suppliers.conftest import deliver_at, extend, issued, issued_undelivered, supplier_org


def test_orders_come_dx_first_then_earlier_required_date_then_earlier_receipt(cast, django_capture_on_commit_callbacks):
    # given four orders to Filtra
    do_late = issued(cast, django_capture_on_commit_callbacks, level=RatingLevel.DO)  # due in 30 days
    dx = issued(cast, django_capture_on_commit_callbacks, level=RatingLevel.DX)
    early_dates = [dt.date.today() + dt.timedelta(days=10)]
    do_early_second = issued_undelivered(cast, django_capture_on_commit_callbacks)
    do_early_first = issued_undelivered(cast, django_capture_on_commit_callbacks)
    for order in (do_early_second, do_early_first):
        version = order.versions.get()
        version.earliest_required_date = early_dates[0]
        version.save(update_fields=["earliest_required_date"])
        # the order's key follows its current version, as the write path keeps it
        RatedOrder.objects.filter(pk=order.pk).update(precedence=precedence_key(order.level, early_dates[0]))
    two_months_ago = timezone.now().replace(microsecond=0) - dt.timedelta(days=60)
    deliver_at(do_early_first, two_months_ago)
    deliver_at(do_early_second, two_months_ago + dt.timedelta(days=1))
    # and one to another supplier
    issued(cast, django_capture_on_commit_callbacks, suppliers=[cast.supplier_org2])

    listed = list(supplier_orders_for(cast.supplier))

    assert [o.pk for o in listed] == [dx.pk, do_early_first.pk, do_early_second.pk, do_late.pk]
    assert [o.level for o in listed] == [RatingLevel.DX, RatingLevel.DO, RatingLevel.DO, RatingLevel.DO]
    assert listed[1].received_at == two_months_ago
    # the early DO orders were received two months ago: their answers are overdue now
    assert [o.is_overdue for o in listed] == [False, True, True, False]
    assert list(supplier_orders_for(cast.applicant)) == []


def test_accepted_orders_asking_for_the_same_item_on_the_same_day_are_flagged(cast, django_capture_on_commit_callbacks):
    day = dt.date.today() + dt.timedelta(days=40)
    other_day = day + dt.timedelta(days=1)

    def order_for(part: str, description: str, when: dt.date, accept: bool = True) -> RatedOrder:
        item = line_item(cast.supplier_org, dates=[when], description=description)
        item = dataclasses.replace(item, part_number=part)
        order = issued_with_items(cast, django_capture_on_commit_callbacks, [item])
        return sr.rated_order_accept(order=order, actor=cast.supplier) if accept else order

    a = order_for("PN-100", "Filtration skid", day)
    b = order_for("pn 100", "Skid, filtration", day)  # same part number, written differently
    c = order_for("PN-100", "Filtration skid", other_day)  # same item, another day
    d = order_for("", "Single-use bag", day)
    e = order_for("", "single-use  BAG", day)  # no part number: same description
    f = order_for("PN-100", "Filtration skid", day, accept=False)  # not accepted: not a conflict yet

    assert order_conflicts(RatedOrder.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk, e.pk, f.pk])) == {
        a.pk,
        b.pk,
        d.pk,
        e.pk,
    }
    # and one page is marked as the whole list would be: its partner need not be on it
    assert order_conflicts([a]) == {a.pk}
    assert order_conflicts([c, e]) == {e.pk}
    assert order_conflicts([c]) == set()
    assert item_key(" pn-100 ", "x") == item_key("PN100", "y") == "pn:PN100"


def issued_with_items(cast, capture, items):
    with capture(execute=True):
        rr = recommended_with_items(cast, items)
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Ok."
        )
        place_orders(cast, rr)
    return rr.rated_orders.get()


def test_a_supplier_sees_the_flowdown_orders_it_placed(cast, django_capture_on_commit_callbacks):
    top = sr.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    membrana, contact = supplier_org("Membrana Inc.")
    child = extend(top, cast.supplier, membrana, django_capture_on_commit_callbacks)
    assert set(rated_orders_for(cast.supplier)) == {top, child}
    assert list(supplier_orders_for(cast.supplier)) == [top]
    assert list(supplier_orders_for(contact)) == [child]
    assert set(rated_orders_for(cast.supplier2)) == set()


def test_the_precedence_key_ranks_dx_then_do_then_unrated_and_earlier_dates_first_none_last():
    day = dt.date(2027, 1, 10)
    keys = [
        precedence_key(RatingLevel.DX, day),
        precedence_key(RatingLevel.DX, day + dt.timedelta(days=1)),
        precedence_key(RatingLevel.DX, None),
        precedence_key(RatingLevel.DO, dt.date(2000, 1, 1)),
        precedence_key(RatingLevel.DO, None),
        precedence_key("", dt.date(2000, 1, 1)),
    ]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
