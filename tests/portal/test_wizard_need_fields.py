"""The request wizard takes what a reviewer needs to judge need: contracting agency and officer,
FDA status and number, related rated orders (step 1), end use (step 3), and per item the
supplier's quoted date and the order value (step 2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from ratings.models import RatingRequest, RequestLineItem
from tests.portal.conftest import details_post, items_post


def test_the_wizard_saves_the_fields_and_shows_a_bad_value_beside_its_field(cast, applicant_client):
    data = details_post(cast, contracting_officer="Carla Contracting", related_rated_orders="R-1, R-2")
    applicant_client.post(reverse("portal:request-create"), data)
    rr = RatingRequest.objects.get()
    assert (rr.contracting_officer, rr.fda_status, rr.fda_number, rr.related_rated_orders) == (
        "Carla Contracting",
        "bla",
        "BLA 125742",
        ["R-1", "R-2"],
    )
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    row = {
        "supplier": str(cast.supplier_org.pk),
        "po_number": "PO-1",
        "description": "Skid",
        "part_number": "",
        "quantity": "2",
        "unit": "each",
        "required_dates": due,
        "quoted_date": "2099-01-01",
        "order_value": "12,5",
    }

    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post([row]))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["order_value"] == [
        "Item 1: the order value “12,5” is not an amount; enter US dollars such as 125000."
    ]
    assert RequestLineItem.objects.filter(request=rr).count() == 0

    row["order_value"] = "125000"
    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post([row]))
    assert response.status_code == 302
    item = RequestLineItem.objects.get(request=rr)
    assert (item.quoted_date, item.order_value) == (dt.date(2099, 1, 1), Decimal("125000"))
    page = applicant_client.get(reverse("portal:request-items", args=[rr.pk])).content.decode()
    assert 'value="2099-01-01"' in page and 'value="125000.00"' in page


def test_the_justification_step_saves_the_end_use_and_the_review_shows_everything(cast, applicant_client):
    applicant_client.post(reverse("portal:request-create"), details_post(cast, related_rated_orders="R-9"))
    rr = RatingRequest.objects.get()
    data = {
        "end_use": "Doses for state pandemic response.",
        "justification_need": "N",
        "justification_efforts": "E",
        "justification_impact": "I",
    }

    response = applicant_client.post(reverse("portal:request-justification", args=[rr.pk]), data)

    assert response.status_code == 302
    assert RatingRequest.objects.get(pk=rr.pk).end_use == "Doses for state pandemic response."
    page = applicant_client.get(reverse("portal:request-review", args=[rr.pk])).content.decode()
    for text in ("Doses for state pandemic response.", "Biologics license (BLA): BLA 125742", "BARDA", "R-9"):
        assert text in page, text
