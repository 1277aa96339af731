"""The authorized party's people are told what is theirs to do: its authorized signers, who
place and sign the rated orders (45 CFR 101.32(a)(3)), hear of the authorization when HHS signs
it and of each supplier's answer to an order they placed."""

from __future__ import annotations

from ratings.constants import NotificationKind, RequestState
from ratings.models import Notification, RatedOrder, RatingAuthorization
from ratings.services.requests import workflow
from ratings.services.suppliers import responses
from tests.factories import PASSWORD, otp, place_orders, request_in_state


def test_approval_tells_the_signers_to_place_the_orders_and_the_applicant_who_places_them(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED)

    workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver))

    authorization = RatingAuthorization.objects.get(rating_request=rr)
    to_signer = Notification.objects.get(recipient=cast.signer)
    assert (to_signer.kind, to_signer.subject) == (
        NotificationKind.AUTHORIZATION_ISSUED,
        f"{authorization.number}: rated orders to place ({authorization.rating})",
    )
    assert to_signer.link == f"http://127.0.0.1:8000/portal/authorizations/{authorization.number}/"
    assert (
        f"HHS signed rating authorization {authorization.number} ({authorization.rating}) on request "
        f"{rr.reference} of Acme Vaccines." in to_signer.body_text
    )
    assert "Place and sign one rated order with each supplier it lists: Filtra Corp." in to_signer.body_text
    to_applicant = Notification.objects.get(recipient=cast.applicant, kind=NotificationKind.REQUEST_DECISION)
    assert (
        f"HHS signed rating authorization {authorization.number}. Your organization's authorized signers "
        "now place and sign the rated order with each supplier under it; you will be told of each "
        "supplier's answer." in to_applicant.body_text
    )
    assert "HHS signed the rated order" not in to_applicant.body_text


def test_a_suppliers_answer_reaches_the_signers_of_the_party_that_placed_the_order(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver))
    (order,) = place_orders(cast, rr)

    responses.rated_order_accept(order=RatedOrder.objects.get(pk=order.pk), actor=cast.supplier)

    answered = Notification.objects.filter(kind=NotificationKind.ORDER_RESPONSE)
    assert sorted(answered.values_list("recipient__username", flat=True)) == sorted(
        [cast.applicant.username, cast.signer.username, cast.intake.username]
    )
    to_signer = answered.get(recipient=cast.signer)
    assert to_signer.link == f"http://127.0.0.1:8000/portal/placed/{order.order_number}/"
