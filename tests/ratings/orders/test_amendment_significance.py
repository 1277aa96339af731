"""45 CFR 101.36(c)-(d) applied item by item and date by date, on orders with split deliveries."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from ratings.constants import AmendmentSignificance, OrderStatus
from ratings.models import RatedOrder, RatedOrderItem, RatedOrderVersion
from ratings.services.items import DeliveryInput
from ratings.services.orders import changes as order_changes
from ratings.services.orders import significance
from tests.factories import PASSWORD, otp
from tests.ratings.orders.conftest import as_amended, flat, issue_orders, pdf_pages, split_items

SPLIT = {
    "position": 1,
    "description": "Skid",
    "part_number": "PN-1",
    "po_number": "PO-1",
    "quantity": "800",
    "unit": "each",
    "ship_to": "Dock 1",
    "required_dates": [{"date": "2027-01-10", "quantity": "500"}, {"date": "2027-02-10", "quantity": "300"}],
}


def _split(first: str, second: str, *, total: str = "800", a: str = "2027-01-10", b: str = "2027-02-10"):
    return [
        {
            **SPLIT,
            "quantity": total,
            "required_dates": [{"date": a, "quantity": first}, {"date": b, "quantity": second}],
        }
    ]


@pytest.mark.parametrize(
    ("new", "expected", "basis"),
    [
        # one date's quantity cut, the total cut with it: a reduction
        (_split("400", "300", total="700"), AmendmentSignificance.NOT_SIGNIFICANT, "reduction in the total amount"),
        # the same total moved from one date to the other: the schedule changes
        (_split("300", "500"), AmendmentSignificance.SIGNIFICANT, "quantity moved between dates"),
        # one date moved
        (_split("500", "300", b="2027-02-03"), AmendmentSignificance.SIGNIFICANT, "delivery on 2027-02-03 added"),
        # a delivery dropped with its quantity: a reduction
        (
            [{**SPLIT, "quantity": "500", "required_dates": [{"date": "2027-01-10", "quantity": "500"}]}],
            AmendmentSignificance.NOT_SIGNIFICANT,
            "delivery on 2027-02-10 dropped: reduction",
        ),
        # 2.5 % more on one date: negligible
        (_split("520", "300", total="820"), AmendmentSignificance.NOT_SIGNIFICANT, "negligible impact"),
        # 25 % more on one date: significant
        (_split("700", "300", total="1000"), AmendmentSignificance.SIGNIFICANT, "increase over 5%"),
    ],
)
def test_101_36_each_date_of_a_split_delivery_is_judged_on_its_own(new, expected, basis, settings):
    settings.ORDER_NEGLIGIBLE_INCREASE_PERCENT = 5
    assessment = significance.assess_amendment([SPLIT], new)
    assert assessment.significance == expected
    assert basis in assessment.basis


def test_101_36_d_a_signed_supplier_agreement_makes_a_moved_date_not_significant():
    assessment = significance.assess_amendment([SPLIT], _split("500", "300", b="2027-02-03"), agreed=True)
    assert assessment.significance == AmendmentSignificance.NOT_SIGNIFICANT
    assert "change agreed by the supplier (45 CFR 101.36(d))" in assessment.basis


def test_101_36_d_a_ship_to_change_on_a_40_item_split_order_keeps_every_split_and_is_not_significant(
    cast, django_capture_on_commit_callbacks
):
    """Acceptance: 40 items, each split over two dates; the ship-to address changes on all of them."""
    # given
    (order,) = issue_orders(cast, django_capture_on_commit_callbacks, split_items(cast.supplier_org, 40))
    before = order.versions.get(number=1).items_snapshot
    assert len(before) == 40

    # when
    with django_capture_on_commit_callbacks(execute=True):
        order = order_changes.rated_order_amend(
            order=order,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="The manufacturer moved receiving to its new warehouse.",
            items=[as_amended(item, ship_to="Warehouse B, 7 Harbor Road, Boston, MA") for item in before],
            expected_version=1,
        )

    # then every split quantity is kept, on the version and on its item rows
    version = order.versions.get(number=2)
    assert version.items_snapshot == [{**item, "ship_to": "Warehouse B, 7 Harbor Road, Boston, MA"} for item in before]
    rows = RatedOrderItem.objects.filter(version=version).order_by("position")
    assert [row.required_dates for row in rows] == [item["required_dates"] for item in before]
    assert all([d["quantity"] for d in row.required_dates] == ["500", "300"] for row in rows)
    # and the change is not significant: no new acceptance clock, one basis entry per item
    assert version.significance == AmendmentSignificance.NOT_SIGNIFICANT
    assert version.significance_basis.count("change in shipping destination (45 CFR 101.36(d))") == 40
    assert len(version.significance_basis) > 300  # beyond the old column's limit
    assert [(c["position"], c["what"]) for c in version.changes] == [(n, "Ship to") for n in range(1, 41)]
    event = AuditEvent.objects.filter(action="rated_order.amend").get()
    assert event.data["significance"] == AmendmentSignificance.NOT_SIGNIFICANT
    # and the document prints what changed, item by item
    text = flat("\n".join(pdf_pages(version.documents.get().file.open("rb").read())))
    assert "What changed" in text
    assert text.count("Dock 1, 100 Biotech Way, Cambridge, MA Warehouse B, 7 Harbor Road, Boston, MA") == 40


def test_101_36_c_one_moved_date_on_one_item_is_significant_for_that_order_only(
    cast, django_capture_on_commit_callbacks
):
    # given one request rated into two orders (two suppliers), every item split over two dates
    items = split_items(cast.supplier_org, 3) + split_items(cast.supplier_org2, 3, first=4)
    first, second = issue_orders(cast, django_capture_on_commit_callbacks, items)
    before = first.versions.get(number=1).items_snapshot
    moved = dt.date.fromisoformat(before[1]["required_dates"][1]["date"]) + dt.timedelta(days=7)

    # when one date of one item of the first order moves a week
    amended = [as_amended(item) for item in before]
    amended[1] = as_amended(
        before[1],
        required_dates=[DeliveryInput(before[1]["required_dates"][0]["date"], "500"), DeliveryInput(moved, "300")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = order_changes.rated_order_amend(
            order=first,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="The line starts a week later.",
            items=amended,
        )

    # then that order is a new rated order, on that item's date alone
    version = first.versions.get(number=2)
    assert (first.status, version.significance) == (OrderStatus.AMENDED, AmendmentSignificance.SIGNIFICANT)
    assert version.significance_basis.startswith(f"item 2: delivery on {moved.isoformat()} added")
    assert "item 1" not in version.significance_basis and "item 3" not in version.significance_basis
    assert [c["what"] for c in version.changes] == ["Delivery schedule"]
    assert version.items_snapshot[0] == before[0] and version.items_snapshot[2] == before[2]
    # and the other order of the same request is untouched
    second = RatedOrder.objects.get(pk=second.pk)
    assert (second.status, second.current_version) == (OrderStatus.ISSUED, 1)
    assert RatedOrderVersion.objects.filter(order=second).count() == 1
