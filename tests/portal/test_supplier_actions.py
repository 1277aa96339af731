"""The supplier's answers through the order's page: accept, reject / counter-offer, delay notice,
fulfilled, flow-down. Errors beside the field with the input kept; wrong-state actions refused
with nothing changed (no row, no audit event, no queued work)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from ratings.constants import OrderStatus, SupplierResponseKind
from ratings.models import RatedOrder
from tests.factories import PASSWORD
from tests.portal.conftest import ESCAPED, SCRIPT, assert_second_row_refused, future, login
from tests.portal.orders import accepted, issue, order_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier_client(client, cast):
    return login(client, cast.supplier)


def url(name: str, order) -> str:
    return reverse(f"portal:{name}", args=[order.order_number])


def flowdown_data(cast, *rows: dict[str, str], **extra: str) -> dict[str, str]:
    data = {
        "sub_supplier": str(cast.supplier_org2.pk),
        "po_number": "SUB-77",
        "password": PASSWORD,
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    data.update(extra)
    return data


def parent_date(order) -> str:
    return order.versions.get(number=order.current_version).items.get().required_dates[0]["date"]


# --- accept ----------------------------------------------------------------------------------


def test_accepting_records_a_signed_answer(cast, supplier_client):
    order = issue(cast)
    events = AuditEvent.objects.count()
    response = supplier_client.post(url("order-accept", order), {"confirm": "on", "version": "1"})
    assert response["Location"] == url("order-detail", order)
    order = RatedOrder.objects.get(pk=order.pk)
    answer = order.responses.get()
    assert (order.status, answer.kind, answer.responder, answer.printed_name) == (
        OrderStatus.ACCEPTED,
        SupplierResponseKind.ACCEPT,
        cast.supplier,
        cast.supplier.printed_name,
    )
    assert AuditEvent.objects.count() > events
    page = supplier_client.get(url("order-detail", order)).content.decode()
    assert "Accepted by the supplier" in page
    assert f"signed by {cast.supplier.printed_name}" in page


def test_accepting_without_the_box_is_refused_and_nothing_changes(
    cast, supplier_client, django_capture_on_commit_callbacks
):
    order = issue(cast)
    before = order_snapshot(order)
    with django_capture_on_commit_callbacks() as callbacks:
        response = supplier_client.post(url("order-accept", order), {"version": "1"})
    assert response.status_code == 400
    assert response.context["accept_form"].errors == {"confirm": ["Tick the box to accept the order."]}
    assert (order_snapshot(order), callbacks) == (before, [])


@pytest.mark.parametrize("action", ["order-accept", "order-reject"])
def test_answering_an_order_already_accepted_is_refused_and_nothing_changes(
    cast, supplier_client, action, django_capture_on_commit_callbacks
):
    order = accepted(cast)
    before = order_snapshot(order)
    data = {"confirm": "on", "reason_code": "not_supplied", "explanation": "Kept text", "version": "1"}
    with django_capture_on_commit_callbacks() as callbacks:
        response = supplier_client.post(url(action, order), data)
    assert response.status_code == 400
    # The service's refusal, shown on the page (the order's state in words)
    assert f"Order {order.order_number} is accepted by the supplier;" in response.content.decode()
    assert (order_snapshot(order), callbacks) == (before, [])


def test_a_stale_page_is_refused_and_nothing_changes(cast, supplier_client):
    order = issue(cast)
    before = order_snapshot(order)
    response = supplier_client.post(url("order-accept", order), {"confirm": "on", "version": "7"})
    assert response.status_code == 400
    assert "reload" in response.content.decode()
    assert order_snapshot(order) == before


# --- reject / counter-offer ---------------------------------------------------------------------


def test_the_reject_page_lists_the_reasons_for_the_orders_level_each_with_its_citation(cast, supplier_client):
    order = issue(cast)  # a DO order: the DX interference reason is not offered (15 CFR 700.13(b)(2)-(3))
    response = supplier_client.get(url("order-reject", order))
    assert response.status_code == 200
    choices = response.context["form"].fields["reason_code"].choices
    assert [value for value, _ in choices] == [
        "cannot_meet_date",
        "interferes_with_do_dx",
        "terms_of_sale",
        "not_supplied",
        "own_use_only",
        "customer_can_make",
        "violates_law",
    ]
    labels = dict(choices)
    assert labels["cannot_meet_date"].endswith("— 15 CFR 700.13(b)(1); 45 CFR 101.33")
    assert labels["interferes_with_do_dx"].endswith("— 15 CFR 700.13(b)(2); 45 CFR 101.33")
    assert labels["not_supplied"].endswith("— 15 CFR 700.13(c); 45 CFR 101.33")
    assert "15 CFR 700.13(b)(2)" in response.content.decode()


def test_a_rejection_without_reason_or_explanation_is_refused(cast, supplier_client):
    order = issue(cast)
    before = order_snapshot(order)
    response = supplier_client.post(url("order-reject", order), {"version": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "reason_code": ["Choose the reason the order is rejected."],
        "explanation": ["Explain the rejection in writing."],
    }
    assert order_snapshot(order) == before


def test_cannot_meet_the_date_without_an_earliest_date_is_refused_beside_the_field(cast, supplier_client):
    order = issue(cast)
    before = order_snapshot(order)
    response = supplier_client.post(
        url("order-reject", order),
        {"reason_code": "cannot_meet_date", "explanation": "Our line is full until spring.", "version": "1"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["earliest_date"]
    assert "Our line is full until spring." in response.content.decode()
    assert order_snapshot(order) == before


def test_a_counter_offer_records_the_earliest_date(cast, supplier_client):
    order = issue(cast)
    earliest = future(120)
    response = supplier_client.post(
        url("order-reject", order),
        {
            "reason_code": "cannot_meet_date",
            "explanation": "Line full.",
            "earliest_date": earliest,
            "offers_to_accept": "on",
            "version": "1",
        },
    )
    assert response["Location"] == url("order-detail", order)
    order = RatedOrder.objects.get(pk=order.pk)
    answer = order.responses.get()
    assert (
        order.status,
        answer.reason_code,
        answer.earliest_date.isoformat(),
        answer.offers_to_accept_on_that_basis,
    ) == (
        OrderStatus.REJECTED,
        "cannot_meet_date",
        earliest,
        True,
    )
    page = supplier_client.get(url("order-detail", order)).content.decode()
    assert f"Earliest date possible: {earliest} — offered to accept on that basis" in page
    assert "Cannot meet the required delivery date (mandatory) (15 CFR 700.13(b)(1); 45 CFR 101.33)" in page


def test_a_wrong_date_is_refused_with_the_explanation_kept(cast, supplier_client):
    order = issue(cast)
    before = order_snapshot(order)
    response = supplier_client.post(
        url("order-reject", order),
        {"reason_code": "cannot_meet_date", "explanation": "Kept", "earliest_date": "ASAP", "version": "1"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "earliest_date": [
            "“ASAP” is not a date: the earliest date must be a calendar date (YYYY-MM-DD or MM/DD/YYYY); "
            "a rated order needs one for each item (45 CFR 101.32)."
        ]
    }
    assert "Kept</textarea>" in response.content.decode()
    assert order_snapshot(order) == before


# --- delay and fulfilled ------------------------------------------------------------------------


def test_a_delay_notice_after_acceptance_is_recorded(cast, supplier_client):
    order = accepted(cast)
    new_date = future(150)
    response = supplier_client.post(
        url("order-delay", order), {"reasons": "Resin shortage.", "new_date": new_date, "version": "1"}
    )
    assert response["Location"] == url("order-detail", order)
    order = RatedOrder.objects.get(pk=order.pk)
    delay = order.responses.get(kind=SupplierResponseKind.DELAY)
    assert (order.status, delay.explanation, delay.new_date.isoformat()) == (
        OrderStatus.ACCEPTED,
        "Resin shortage.",
        new_date,
    )


def test_a_delay_notice_before_acceptance_is_refused_and_nothing_changes(cast, supplier_client):
    order = issue(cast)
    before = order_snapshot(order)
    page = supplier_client.get(url("order-delay", order))
    assert page["Location"] == url("order-detail", order)
    response = supplier_client.post(
        url("order-delay", order), {"reasons": "Resin shortage.", "new_date": future(150), "version": "1"}
    )
    assert response.status_code == 400
    assert "Resin shortage." in response.content.decode()
    assert order_snapshot(order) == before


def test_a_delay_notice_needs_reasons_and_a_date(cast, supplier_client):
    order = accepted(cast)
    before = order_snapshot(order)
    response = supplier_client.post(url("order-delay", order), {"reasons": " ", "new_date": "", "version": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "reasons": ["Give the reasons for the delay."],
        "new_date": ["Give the new delivery date."],
    }
    assert order_snapshot(order) == before


def test_marking_fulfilled(cast, supplier_client):
    order = accepted(cast)
    response = supplier_client.post(url("order-fulfil", order), {"confirm": "on", "version": "1"})
    assert response["Location"] == url("order-detail", order)
    order = RatedOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.FULFILLED
    page = supplier_client.get(url("order-detail", order)).content.decode()
    assert "No action is possible now: the order is fulfilled." in page


def test_marking_an_unaccepted_order_fulfilled_is_refused_and_nothing_changes(
    cast, supplier_client, django_capture_on_commit_callbacks
):
    order = issue(cast)
    before = order_snapshot(order)
    with django_capture_on_commit_callbacks() as callbacks:
        response = supplier_client.post(url("order-fulfil", order), {"confirm": "on", "version": "1"})
    assert response.status_code == 400
    assert f"Order {order.order_number} is issued;" in response.content.decode()
    assert (order_snapshot(order), callbacks) == (before, [])


# --- flow-down ---------------------------------------------------------------------------------


def test_recording_an_order_extended_to_my_supplier(cast, supplier_client):
    parent = accepted(cast)
    page = supplier_client.get(url("order-flowdown", parent))
    sub_choices = [label for _, label in page.context["form"].fields["sub_supplier"].choices]
    assert sub_choices == ["- Select -", "PumpCo"]  # not my own organization
    row = {"description": "Filtration skid", "part_number": "FS-1", "quantity": "2", "unit": "each"}
    response = supplier_client.post(
        url("order-flowdown", parent), flowdown_data(cast, {**row, "required_dates": parent_date(parent)})
    )
    assert response["Location"] == url("order-detail", parent)
    child = parent.children.get()
    item = child.versions.get().items.get()
    assert (child.supplier, child.rating, item.po_number, item.quantity) == (
        cast.supplier_org2,
        parent.rating,
        "SUB-77",
        2,
    )
    detail = supplier_client.get(url("order-detail", parent)).content.decode()
    assert child.order_number in detail


def test_add_another_item_keeps_the_input_without_errors(cast, supplier_client):
    parent = accepted(cast)
    before = order_snapshot(parent)
    data = flowdown_data(cast, {"description": "Kept item", "quantity": "", "unit": "", "required_dates": ""})
    response = supplier_client.post(url("order-flowdown", parent), {**data, "add_item": "1"})
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert 'value="Kept item"' in response.content.decode()
    assert "usa-error-message" not in response.content.decode()
    assert order_snapshot(parent) == before


def test_a_flowdown_with_a_bad_date_is_refused_beside_the_field(cast, supplier_client):
    parent = accepted(cast)
    before = order_snapshot(parent)
    row = {"description": "Filtration skid", "quantity": "2", "unit": "each", "required_dates": "ASAP"}
    response = supplier_client.post(url("order-flowdown", parent), flowdown_data(cast, row))
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors == {
        "required_dates": [
            "“ASAP” is not a date: the required delivery date of item 1 must be a calendar date "
            "(YYYY-MM-DD or MM/DD/YYYY); "
            "a rated order needs one for each item (45 CFR 101.32)."
        ]
    }
    assert 'value="SUB-77"' in response.content.decode()
    assert order_snapshot(parent) == before


def test_a_flowdown_on_an_unaccepted_order_is_refused_and_nothing_changes(cast, supplier_client):
    parent = issue(cast)
    before = order_snapshot(parent)
    row = {"description": "Filtration skid", "quantity": "2", "unit": "each", "required_dates": future(30)}
    response = supplier_client.post(url("order-flowdown", parent), flowdown_data(cast, row))
    assert response.status_code == 400
    assert order_snapshot(parent) == before


# --- script payloads -----------------------------------------------------------------------------


def test_script_payloads_in_reject_fields_are_inert(cast, supplier_client):
    order = issue(cast)
    response = supplier_client.post(
        url("order-reject", order),
        {"reason_code": SCRIPT, "explanation": SCRIPT, "earliest_date": SCRIPT, "version": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert SCRIPT not in body
    assert ESCAPED in body
    response = supplier_client.post(
        url("order-reject", order), {"reason_code": "not_supplied", "explanation": SCRIPT, "version": "1"}
    )
    assert response.status_code == 302
    detail = supplier_client.get(url("order-detail", order)).content.decode()
    assert (SCRIPT in detail, ESCAPED in detail) == (False, True)


def test_script_payloads_in_delay_fields_are_inert(cast, supplier_client):
    order = accepted(cast)
    response = supplier_client.post(url("order-delay", order), {"reasons": SCRIPT, "new_date": SCRIPT})
    body = response.content.decode()
    assert (response.status_code, SCRIPT in body, ESCAPED in body) == (400, False, True)
    supplier_client.post(url("order-delay", order), {"reasons": SCRIPT, "new_date": future(100)})
    detail = supplier_client.get(url("order-detail", order)).content.decode()
    assert (SCRIPT in detail, ESCAPED in detail) == (False, True)


def test_script_payloads_in_flowdown_fields_are_inert(cast, supplier_client):
    parent = accepted(cast)
    row = {"description": SCRIPT, "part_number": SCRIPT, "quantity": SCRIPT, "unit": SCRIPT, "required_dates": SCRIPT}
    data = flowdown_data(cast, row, po_number=SCRIPT, sub_supplier=SCRIPT)
    response = supplier_client.post(url("order-flowdown", parent), data)
    body = response.content.decode()
    assert (response.status_code, SCRIPT in body) == (400, False)
    # Six inputs echoed back escaped (the form refuses the supplier first: the service, which
    # would quote the date and quantity in its errors, is not called)
    assert body.count(ESCAPED) == 6


def test_a_flowdown_with_a_wrong_password_is_refused_beside_the_field(cast, supplier_client):
    # Given an accepted order; when the contact signs the flow-down order with a wrong password
    parent = accepted(cast)
    before = order_snapshot(parent)
    row = {"description": "Filtration skid", "quantity": "2", "unit": "each", "required_dates": parent_date(parent)}
    response = supplier_client.post(url("order-flowdown", parent), flowdown_data(cast, row, password="wrong"))
    # Then the refusal is shown beside the password, the input is kept, and only the denial is audited
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "password": ["The password you entered is not correct; nothing was signed."]
    }
    assert 'value="SUB-77"' in response.content.decode()
    status, version, responses, children, orders, audit_rows, notices = order_snapshot(parent)
    assert (status, version, responses, children, orders, audit_rows, notices) == (
        *before[:5],
        before[5] + 1,
        before[6],
    )
    denial = AuditEvent.objects.order_by("-sequence").first()
    assert (denial.action, denial.outcome) == ("rated_order.flowdown", "denied")


def _flowdown_row(parent, **overrides: str) -> dict[str, str]:
    return {
        "description": "Filtration skid",
        "quantity": "2",
        "unit": "each",
        "required_dates": parent_date(parent),
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quantity": "1E12"}, "quantity", "Item 2: the quantity “1E12” is too large; it can have at most 11 digits"),
        ({"quantity": "0.0001"}, "quantity", "Item 2: the quantity “0.0001” has too many decimal places"),
        (
            {"required_dates": ", ".join(future(n) for n in range(1, 61))},
            "required_dates",
            "Item 2: give at most 20 required delivery dates; 60 were given.",
        ),
        ({"quantity": "11"}, "quantity", "Item 2: 11 each is more than the rated order covers (10 each)"),
    ],
)
def test_a_flowdown_item_beyond_a_limit_is_refused_beside_its_field(cast, supplier_client, overrides, field, message):
    parent = accepted(cast)
    before = order_snapshot(parent)
    rows = [_flowdown_row(parent), _flowdown_row(parent, **overrides)]

    response = supplier_client.post(url("order-flowdown", parent), flowdown_data(cast, *rows))

    assert response.status_code == 400
    assert_second_row_refused(response, field, message)
    assert order_snapshot(parent) == before


def test_a_flowdown_of_51_items_is_refused_and_nothing_changes(cast, supplier_client):
    parent = accepted(cast)
    before = order_snapshot(parent)

    response = supplier_client.post(url("order-flowdown", parent), flowdown_data(cast, *[_flowdown_row(parent)] * 51))

    assert response.status_code == 400
    assert list(response.context["formset"].non_form_errors()) == [
        "At most 50 items fit one request or order; remove some and put them in another."
    ]
    assert "At most 50 items fit one request or order" in response.content.decode()
    assert order_snapshot(parent) == before


def test_a_delay_date_written_day_first_is_refused(cast, supplier_client):
    # MM/DD/YYYY is the US form (and the date picker's); 13/04 cannot be month 13
    order = accepted(cast)
    before = order_snapshot(order)
    response = supplier_client.post(url("order-delay", order), {"reasons": "Late.", "new_date": "13/04/2099"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "new_date": [
            "“13/04/2099” is not a real calendar date; write the new delivery date as YYYY-MM-DD (year-month-day) "
            "or MM/DD/YYYY (month/day/year)."
        ]
    }
    assert order_snapshot(order) == before


def test_a_delay_date_written_month_first_is_recorded(cast, supplier_client):
    order = accepted(cast)
    response = supplier_client.post(
        url("order-delay", order), {"reasons": "Late.", "new_date": "03/04/2099", "version": "1"}
    )
    assert response["Location"] == url("order-detail", order)
    assert order.responses.get(kind=SupplierResponseKind.DELAY).new_date == dt.date(2099, 3, 4)
