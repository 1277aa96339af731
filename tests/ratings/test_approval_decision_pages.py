"""The applicant sees HHS's decision where the request is shown (45 CFR 101.31 levels; 45 CFR
101.32(a) items and quantities): the notice e-mail, the portal's request page and the API's
request detail say the level approved against the level requested and each item not authorized
or reduced, with its reason."""

from __future__ import annotations

from django.urls import reverse

from ratings.constants import NotificationKind, RatingLevel
from ratings.models import Notification, RatingRequest
from ratings.services.requests import workflow
from ratings.services.requests.decisions import DecisionInput, ItemDecisionInput
from tests.factories import PASSWORD, line_item, otp
from tests.ratings.api.test_requests_api import client_for
from tests.ratings.orders.conftest import recommended_with_items

LEVEL_REASON = "DO precedence meets the delivery dates."


def _decided(cast) -> RatingRequest:
    """A DX request of three items approved at DO: item 2 not authorized, item 3 reduced."""
    items = [
        line_item(cast.supplier_org, po="PO-1", description="Filtration skid", quantity="10"),
        line_item(cast.supplier_org, po="PO-2", description="Spare membranes", quantity="200"),
        line_item(cast.supplier_org2, po="PO-3", description="Transfer pump", quantity="12"),
    ]
    rr = recommended_with_items(cast, items, requested_level=RatingLevel.DX)
    return workflow.rating_request_approve(
        rating_request=rr,
        actor=cast.secretary,
        password=PASSWORD,
        otp=otp(cast.secretary),
        decision=DecisionInput(
            level=RatingLevel.DO,
            level_reason=LEVEL_REASON,
            items=[
                ItemDecisionInput(2, include=False, reason="Membranes are stocked by the SNS."),
                ItemDecisionInput(3, quantity="4", reason="Four pumps cover the two fill lines."),
            ],
        ),
    )


def test_45_cfr_101_32_a_the_notice_says_the_rating_approved_and_what_differs(cast):
    rr = _decided(cast)

    notice = Notification.objects.get(recipient=cast.applicant, kind=NotificationKind.REQUEST_DECISION)

    text = " ".join(notice.body_text.split())
    assert f"with the priority rating DO-{cast.program.symbol}." in text
    assert f"DX-{cast.program.symbol}" not in text
    assert "What HHS approved differs from your request:" in text
    assert f"- Approved at DO (requested DX): {LEVEL_REASON}" in text
    assert "- Item 2, Spare membranes: Not authorized. Reason: Membranes are stocked by the SNS." in text
    assert "- Item 3, Transfer pump: Reduced from 12 to 4 each. Reason: Four pumps cover the two fill lines." in text
    assert "Reduced from 12 to 4 each" in notice.body_html
    assert rr.reference in notice.subject


def test_45_cfr_101_32_a_the_portal_request_page_shows_the_level_and_the_decision_table(cast, client):
    rr = _decided(cast)
    client.force_login(cast.applicant)

    page = client.get(reverse("portal:request-detail", args=[rr.pk])).content.decode()

    assert f'data-testid="decision-level">Approved at DO (requested DX): {LEVEL_REASON}<' in page
    flat = " ".join(page.split())
    assert (
        '<tr data-testid="decision-item-2"> <th scope="row" data-label="Item">2</th> '
        '<td data-label="Description">Spare membranes</td> <td data-label="Requested">200 each</td> '
        '<td data-label="Approved">—</td> <td data-label="Decision">Not authorized</td> '
        '<td data-label="Reason">Membranes are stocked by the SNS.</td>'
    ) in flat
    assert (
        '<td data-label="Requested">12 each</td> <td data-label="Approved">4 each</td> '
        '<td data-label="Decision">Reduced from 12 to 4 each</td> '
        '<td data-label="Reason">Four pumps cover the two fill lines.</td>'
    ) in flat
    assert f"({'DO'}-{cast.program.symbol}, valid until" in page


def test_a_request_approved_as_requested_says_so_on_the_portal(cast, client):
    rr = recommended_with_items(cast, [line_item(cast.supplier_org)])
    workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver))
    client.force_login(cast.applicant)

    page = client.get(reverse("portal:request-detail", args=[rr.pk])).content.decode()

    assert "Approved as requested: every item and quantity, at the level you asked for." in page
    assert 'data-testid="decision-items"' not in page


def test_45_cfr_101_32_a_the_api_request_detail_has_the_approved_level_and_each_item_decision(cast):
    rr = _decided(cast)

    body = client_for(cast.applicant).get(f"/api/v1/requests/{rr.reference}/").json()

    assert (body["requested_level"], body["approved_level"]) == ("DX", "DO")
    decision = body["approval_decision"]
    assert (decision["requested_level"], decision["approved_level"], decision["level_reason"]) == (
        "DX",
        "DO",
        LEVEL_REASON,
    )
    assert [
        (i["number"], i["outcome"], i["requested_quantity"], i["approved_quantity"], i["reason"])
        for i in decision["items"]
    ] == [
        (1, "approved", "10", "10", ""),
        (2, "excluded", "200", None, "Membranes are stocked by the SNS."),
        (3, "reduced", "12", "4", "Four pumps cover the two fill lines."),
    ]
    assert decision["items"][2]["deliveries"][0]["requested"] is None


def test_the_api_request_detail_has_no_decision_before_approval(cast):
    rr = recommended_with_items(cast, [line_item(cast.supplier_org)])

    body = client_for(cast.applicant).get(f"/api/v1/requests/{rr.reference}/").json()

    assert (body["approved_level"], body["approval_decision"]) == (None, None)
