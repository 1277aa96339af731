"""The demo's approvals: HHS signs the rating authorization, then Acme's authorized signer
places and signs one rated order per supplier under it, as authorized (45 CFR 101.32(a)(3))."""

from __future__ import annotations

from ratings.demo.accounts import DEMO_PASSWORD, demo_code
from ratings.models import RatingAuthorization, RatingRequest, User
from ratings.services.orders import placing
from ratings.services.requests import workflow
from ratings.services.requests.decisions import DecisionInput


def approve_and_place(
    rating_request: RatingRequest, official: User, signer: User, reason: str, decision: DecisionInput | None = None
) -> RatingRequest:
    """`decision`: a lower level, items left out or reduced (the orders cover only what was approved)."""
    approved = workflow.rating_request_approve(
        rating_request=rating_request,
        actor=official,
        password=DEMO_PASSWORD,
        otp=demo_code(official),
        reason=reason,
        decision=decision,
    )
    authorization = RatingAuthorization.objects.get(rating_request=approved)
    for supplier_id in authorization.supplier_ids():
        po, items = placing.placement_defaults(authorization, supplier_id)
        placing.rated_order_place(
            authorization=authorization,
            actor=signer,
            supplier_id=supplier_id,
            po_number=po,
            items=items,
            password=DEMO_PASSWORD,
        )
    return RatingRequest.objects.get(pk=approved.pk)
