"""After approval the applicant's request page says who acts next: the organization's authorized
signers until every authorized supplier has its rated order, then the suppliers."""

from __future__ import annotations

from ratings.constants import RejectionReason, RequestState
from ratings.models import RatingAuthorization
from ratings.services.requests import workflow
from ratings.services.suppliers import responses
from tests.factories import PASSWORD, otp, place_orders, request_in_state


def _page(client, rr) -> str:
    return client.get(f"/portal/requests/{rr.pk}/").content.decode()


def test_the_next_step_after_approval_is_the_signers_then_the_suppliers(client, cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
    )
    number = RatingAuthorization.objects.get(rating_request=rr).number
    client.force_login(cast.applicant)

    before = _page(client, rr)
    assert "Next action: Your authorized signers: place the rated orders HHS authorized." in before
    assert (
        f"No rated order is placed under rating authorization {number} yet: your organization’s authorized "
        "signers place and sign them." in before
    )
    assert "Rating orders issued to your suppliers" not in before
    assert "Once HHS approves the request" not in before

    place_orders(cast, rr)

    after = _page(client, rr)
    assert "Next action: Your suppliers: accept or reject the rated orders." in after
    assert "No rated order is placed" not in after


def test_a_rejection_is_the_applicants_next_step(client, cast):
    rr = request_in_state(cast, RequestState.ISSUED)
    order = rr.rated_orders.get()
    responses.rated_order_reject(
        order=order, actor=cast.supplier, reason_code=RejectionReason.NOT_SUPPLIED, explanation="Not our item."
    )
    client.force_login(cast.applicant)

    assert (
        "Next action: You: a supplier rejected its rated order; read its reasons below and amend or ask HHS for "
        "assistance." in _page(client, rr)
    )
