"""The rating authorization prints the approval decision (45 CFR 101.31 levels; 45 CFR 101.32(a)
items, quantities and dates): the level approved against the level requested, each item not
authorized or reduced, with its reason; what was approved as requested prints as before."""

from __future__ import annotations

from ratings.constants import RatingLevel
from ratings.models import RatingAuthorization
from ratings.services.authorizations import documents
from ratings.services.requests import workflow
from ratings.services.requests.decisions import DecisionInput, ItemDecisionInput
from tests.factories import PASSWORD, line_item, otp
from tests.ratings.orders.conftest import flat, pdf_pages, recommended_with_items, split_items


def test_45_cfr_101_32_a_the_authorization_prints_the_level_and_every_item_not_authorized_or_reduced(
    cast, django_capture_on_commit_callbacks
):
    # given a DX request of three items (the third split over two dates), approved at DO, the
    # second item left out and the third reduced
    items = [
        line_item(cast.supplier_org, po="PO-1", description="Filtration skid", quantity="10"),
        line_item(cast.supplier_org, po="PO-2", description="Spare membranes", quantity="200"),
        *split_items(cast.supplier_org2, 1, first=3),
    ]
    rr = recommended_with_items(cast, items, requested_level=RatingLevel.DX)
    first, second = (d.required_date.isoformat() for d in rr.line_items.get(position=3).deliveries.all())
    decision = DecisionInput(
        level=RatingLevel.DO,
        level_reason="DO precedence meets the delivery dates.",
        items=[
            ItemDecisionInput(2, include=False, reason="Membranes are stocked by the SNS."),
            ItemDecisionInput(3, splits={first: "400", second: "200"}, reason="One fill line only."),
        ],
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.secretary, password=PASSWORD, otp=otp(cast.secretary), decision=decision
        )
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    text = flat("\n".join(pdf_pages(authorization.document.open("rb").read())))

    # then the document is at the level approved and says what differs, with the reasons
    assert f"DO-{cast.program.symbol}" in text and f"DX-{cast.program.symbol}" not in text
    assert "Approval decision: what differs from the request" in text
    assert "Approved at DO (requested DX): DO precedence meets the delivery dates." in text
    assert "Item 2, Spare membranes: Not authorized. Reason: Membranes are stocked by the SNS." in text
    assert (
        f"Item 3, Filtration skid model 3: Reduced from 800 to 600 each ({first}: 500 to 400; {second}: 300 to 200). "
        "Reason: One fill line only."
    ) in text
    # the items table lists what may be ordered: not item 2, item 3 at 600
    assert "Spare membranes Part" not in text
    assert "Filtration skid model 3 Part PN-3 Ship to: Dock 1, 100 Biotech Way, Cambridge, MA 600 each" in text
    # and the signed fingerprint covers the decision
    assert documents.authorization_content(authorization).fingerprint == authorization.fingerprint
    assert authorization.fingerprint in text


def test_an_authorization_approved_as_requested_prints_no_decision_section(cast, django_capture_on_commit_callbacks):
    rr = recommended_with_items(cast, [line_item(cast.supplier_org)])

    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    text = flat("\n".join(pdf_pages(authorization.document.open("rb").read())))

    assert "Approval decision" not in text
    assert documents.authorization_content(authorization).decision == ()
