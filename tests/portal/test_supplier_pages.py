"""The supplier's pages (order list in precedence order, home, the order's page) and the
manufacturer's list of issued orders with downloads."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone

from ratings.constants import CONFIDENTIALITY_LEGEND, RatingLevel
from ratings.models import RatedOrderVersion
from ratings.services.suppliers import responses as supplier_responses
from tests.factories import draft_request, line_item
from tests.portal.conftest import ESCAPED, SCRIPT, login
from tests.portal.orders import accepted, issue, issue_with_items

pytestmark = pytest.mark.django_db


@contextmanager
def _pages_of(size: int):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ratings.selectors.order_pages.PAGE_SIZE", size)
        yield


def test_the_order_list_is_in_precedence_order_with_overdue_first(client, cast, django_capture_on_commit_callbacks):
    # Given three orders to Filtra (received, so their clocks run): DO, DX, and a DO now overdue,
    # and one order to PumpCo
    do_order = issue(cast, capture=django_capture_on_commit_callbacks)
    dx_order = issue(cast, capture=django_capture_on_commit_callbacks, level=RatingLevel.DX)
    late = issue(cast, capture=django_capture_on_commit_callbacks)
    RatedOrderVersion.objects.filter(order=late).update(response_due_at=timezone.now() - dt.timedelta(hours=1))
    other = issue(cast, suppliers=[cast.supplier_org2])
    login(client, cast.supplier)
    # When Filtra's contact opens the list
    response = client.get(reverse("portal:order-list"))
    # Then the overdue order first, then DX before DO; never PumpCo's order
    rows = response.context["rows"]
    assert [row.order for row in rows] == [late, dx_order, do_order]
    assert [row.clock.overdue for row in rows] == [True, False, False]
    for row in rows[1:]:
        assert row.clock.due_at == row.order.versions.get().response_due_at
        assert row.clock.days_left == {RatingLevel.DO: 15, RatingLevel.DX: 10}[row.order.level]
    body = response.content.decode()
    assert other.order_number not in body
    assert body.count('data-testid="overdue"') == 1
    assert CONFIDENTIALITY_LEGEND in body


def test_the_order_list_is_paged_in_the_same_order_and_bad_cursors_are_harmless(
    client, cast, django_capture_on_commit_callbacks
):
    # Given pages of two rows and four orders to Filtra: two overdue (DX and DO), two not
    first = issue(cast, capture=django_capture_on_commit_callbacks)
    second = issue(cast, capture=django_capture_on_commit_callbacks)
    late = issue(cast, capture=django_capture_on_commit_callbacks)
    late_dx = issue(cast, capture=django_capture_on_commit_callbacks, level=RatingLevel.DX)
    RatedOrderVersion.objects.filter(order__in=[late, late_dx]).update(
        response_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    login(client, cast.supplier)
    url = reverse("portal:order-list")
    # When the contact follows "Next page" to the end
    pages = []
    following = url
    with _pages_of(2):
        while following:
            response = client.get(following)
            html = response.content.decode()
            pages.append([row.order.order_number for row in response.context["rows"]])
            found = re.search(r'href="(\?after=[^"]+)">Next page</a>', html)
            following = url + found.group(1) if found else ""
            assert len(pages) < 5
    # Then the overdue orders lead (DX first), and the precedence order carries over: each order once
    assert pages == [[late_dx.order_number, late.order_number], [first.order_number, second.order_number]]
    assert "First page" in html
    # and a cursor that does not parse shows the first page, never an error
    for bad in ["x", "o1.2", "r99.999999999999999999.HHS-1", "o1.1.<script>", "r" + "9" * 40]:
        response = client.get(url, {"after": bad})
        assert response.status_code == 200
        assert [row.order for row in response.context["rows"]] == [late_dx, late, first, second]


def test_the_supplier_home_shows_orders_waiting_for_an_answer(client, cast):
    waiting = issue(cast)
    answered = accepted(cast)
    login(client, cast.supplier)
    response = client.get(reverse("portal:dashboard"))
    assert [row.order for row in response.context["awaiting"]] == [waiting]
    assert [row.order for row in response.context["in_progress"]] == [answered]
    assert b'href="/portal/orders/"' in response.content


def test_the_order_page_shows_items_document_answer_forms_and_legend(client, cast, django_capture_on_commit_callbacks):
    order = issue(cast, capture=django_capture_on_commit_callbacks)
    login(client, cast.supplier)
    response = client.get(reverse("portal:order-detail", args=[order.order_number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert CONFIDENTIALITY_LEGEND in body
    assert reverse("order-document-download", args=[order.order_number, 1]) in body
    assert "Filtration skid" in body and "PO-1" in body
    assert 'data-testid="accept-form"' in body
    assert reverse("portal:order-reject", args=[order.order_number]) in body
    assert "working days left" in body
    # The link downloads the signed PDF (audited by the order document view).
    download = client.get(reverse("order-document-download", args=[order.order_number, 1]))
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"


def test_colliding_dates_for_the_same_item_are_flagged(client, cast):
    # Given two accepted orders to Filtra needing the same item on the same date, and one for another item
    first = accepted(cast)
    second = accepted(cast)
    other_item = issue_with_items(cast, [line_item(cast.supplier_org, days=50, description="Peristaltic pump")])
    supplier_responses.rated_order_accept(order=other_item, actor=cast.supplier)
    login(client, cast.supplier)
    response = client.get(reverse("portal:order-list"))
    flagged = {row.order for row in response.context["rows"] if row.conflict}
    assert flagged == {first, second}
    assert other_item in [row.order for row in response.context["rows"]]
    detail = client.get(reverse("portal:order-detail", args=[first.order_number])).content.decode()
    assert 'data-testid="conflict"' in detail


def test_the_manufacturer_sees_issued_orders_with_status_version_and_download(
    client, cast, django_capture_on_commit_callbacks
):
    # Given an approved request with items for two suppliers
    with django_capture_on_commit_callbacks(execute=True):
        order = issue(cast, suppliers=[cast.supplier_org, cast.supplier_org2])
    rr = order.source_request
    login(client, cast.applicant)
    response = client.get(reverse("portal:request-detail", args=[rr.pk]))
    rows = response.context["orders"]
    assert [(r.order.supplier.legal_name, r.order.status, r.version.number, r.document_ready) for r in rows] == [
        ("Filtra Corp", "issued", 1, True),
        ("PumpCo", "issued", 1, True),
    ]
    body = response.content.decode()
    for row in rows:
        assert reverse("order-document-download", args=[row.order.order_number, 1]) in body
    download = client.get(reverse("order-document-download", args=[rows[1].order.order_number, 1]))
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")


def test_another_manufacturer_cannot_download_the_order(client, cast, django_capture_on_commit_callbacks):
    order = issue(cast, capture=django_capture_on_commit_callbacks)
    login(client, cast.applicant2)
    assert client.get(reverse("order-document-download", args=[order.order_number, 1])).status_code == 404
    assert client.get(reverse("portal:request-detail", args=[order.source_request_id])).status_code == 404


def test_before_approval_the_request_page_says_orders_come_later(client, cast):
    rr = draft_request(cast)
    login(client, cast.applicant)
    body = client.get(reverse("portal:request-detail", args=[rr.pk])).content.decode()
    assert "Once HHS approves the request, your organization’s authorized signers place the rated orders" in body


def test_the_supplier_nav_links_to_orders_not_requests(client, cast):
    login(client, cast.supplier)
    body = client.get(reverse("portal:order-list")).content.decode()
    assert 'href="/portal/orders/"' in body
    assert 'href="/portal/requests/"' not in body


def test_the_manufacturer_sees_the_suppliers_counter_offer_inert(client, cast):
    order = issue(cast)
    supplier_responses.rated_order_reject(
        order=order,
        actor=cast.supplier,
        reason_code="cannot_meet_date",
        explanation=SCRIPT,
        earliest_date=timezone.localdate() + dt.timedelta(days=90),
        offers_to_accept=True,
    )
    login(client, cast.applicant)
    response = client.get(reverse("portal:request-detail", args=[order.source_request_id]))
    body = response.content.decode()
    assert [row.order.status for row in response.context["orders"]] == ["rejected"]
    earliest = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    assert response.context["orders"][0].state_text == (
        f"Rejected on {timezone.localdate():%Y-%m-%d} by {cast.supplier.printed_name}. "
        "Reason: Cannot meet the required delivery date. "
        f"Explanation: {SCRIPT}. Earliest date possible: {earliest}; the supplier offers to accept on that date."
    )
    assert "(mandatory)" not in body
    assert ESCAPED in body
    assert SCRIPT not in body
