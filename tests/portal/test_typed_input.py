"""Forms people can type in: dates in the US or ISO form, quantities with thousands separators,
and an error summary at the top of the form whose links lead to the fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import draft_request
from tests.portal.conftest import details_post, item_row, items_post, login, snapshot
from tests.portal.orders import accepted

pytestmark = pytest.mark.django_db


def test_a_month_first_date_and_a_grouped_quantity_are_saved(cast, applicant_client):
    rr = draft_request(cast)
    day = timezone.localdate() + dt.timedelta(days=60)
    row = item_row(cast.supplier_org, quantity="12,000", required_dates=f"{day:%m/%d/%Y}")

    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post([row]))

    assert response["Location"] == reverse("portal:request-justification", args=[rr.pk])
    item = rr.line_items.get()
    assert item.quantity == Decimal("12000")
    assert [d.required_date for d in item.deliveries.all()] == [day]


def test_the_error_summary_links_each_problem_to_its_field(cast, applicant_client):
    rr = draft_request(cast)
    before = snapshot(rr)
    rows = [item_row(cast.supplier_org), item_row(cast.supplier_org, quantity="1,5", required_dates="ASAP")]

    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post(rows))

    page = response.content.decode()
    summary = page.split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_items-1-quantity">Item 2: the quantity “1,5” is not a number' in summary
    assert page.index('data-testid="error-summary"') < page.index('id="id_items-0-supplier"')
    assert snapshot(rr) == before


def test_the_summary_names_the_field_of_a_form_error(cast, applicant_client):
    response = applicant_client.post(reverse("portal:request-create"), details_post(cast, health_resource=""))

    summary = response.content.decode().split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "There is a problem to fix before this can be saved" in summary
    assert '<a href="#id_health_resource">Health resource produced: This field is required.</a>' in summary


def test_the_summary_joins_a_statement_label_and_its_error_without_a_stray_full_stop(cast, applicant_client):
    # given a draft ready to certify, sent with the name typed but the statement not ticked
    rr = draft_request(cast)
    response = applicant_client.post(reverse("portal:request-review", args=[rr.pk]), {"typed_name": "Alice Applicant"})
    # then the summary names the statement once, without "above.: "
    summary = response.content.decode().split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_certify">I certify the statement above: This field is required.</a>' in summary


def test_the_summary_keeps_a_question_labels_mark_and_adds_no_colon(cast, applicant_client):
    # given a request the applicant may withdraw, sent without the reason the form asks for
    rr = draft_request(cast)
    response = applicant_client.post(reverse("portal:request-withdraw", args=[rr.pk]), {"reason": ""})
    # then the summary asks the question once, then gives the error, without "?:"
    summary = response.content.decode().split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_reason">Why are you withdrawing this request? This field is required.</a>' in summary


def test_a_date_field_is_a_date_picker_with_its_value_and_keeps_text_that_is_no_date(cast, client):
    supplier_client = login(client, cast.supplier)
    order = accepted(cast)
    url = reverse("portal:order-delay", args=[order.order_number])

    page = supplier_client.get(url).content.decode()
    assert '<div class="usa-date-picker" data-default-value="">' in page

    refused = supplier_client.post(url, {"reasons": "Late.", "new_date": "next month"}).content.decode()
    assert 'value="next month"' in refused
    assert "usa-date-picker" not in refused  # the picker would clear what was typed

    kept = supplier_client.post(url, {"reasons": "", "new_date": "03/04/2099"}).content.decode()
    assert '<div class="usa-date-picker" data-default-value="2099-03-04">' in kept
