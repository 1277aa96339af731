"""Refusal cases of placing rated orders under an authorization and designating authorized
signers, for tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dpa_portal.errors import NotFound
from ratings.constants import RequestState
from ratings.models import RatingAuthorization
from ratings.services.accounts import signers
from ratings.services.authorizations import documents as authorization_documents
from ratings.services.authorizations import hhs_customer
from ratings.services.orders import placing
from ratings.services.requests import workflow
from tests.factories import PASSWORD, Cast, otp, request_in_state


def _authorization(cast: Cast) -> RatingAuthorization:
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
    )
    return RatingAuthorization.objects.get(rating_request=rr)


def _place_as_applicant(authorization: RatingAuthorization, cast: Cast) -> Any:
    supplier_id = authorization.supplier_ids()[0]
    po, items = placing.placement_defaults(authorization, supplier_id)
    return placing.rated_order_place(
        authorization=authorization,
        actor=cast.applicant,  # Acme's applicant without the authorized-signer role
        supplier_id=supplier_id,
        po_number=po,
        items=items,
        password=PASSWORD,
    )


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "rated_order_place": lambda cast: (
            (authorization := _authorization(cast))
            and case(lambda: _place_as_applicant(authorization, cast), "rated_order.place", authorization)
        ),
        "authorization_document_download": lambda cast: (
            (authorization := _authorization(cast))
            and case(
                lambda: authorization_documents.authorization_document_download(
                    number=authorization.number, actor=cast.applicant2
                ),
                "rating_authorization.document_download",
                authorization,
                NotFound,
            )
        ),
        # 45 CFR 101.30: only an approving official authorizes HHS's own rated orders.
        "hhs_customer_authorization_issue": lambda cast: case(
            lambda: hhs_customer.hhs_customer_authorization_issue(
                actor=cast.reviewer,
                program=cast.program,
                level="DO",
                hhs_contract="75A50126C00042",
                items=[
                    hhs_customer.CustomerItemInput(
                        supplier_id=cast.supplier_org.pk,
                        description="Single-use fill pump",
                        quantity="40",
                        unit="each",
                        window_start=dt.date.today() + dt.timedelta(days=30),
                        window_end=dt.date.today() + dt.timedelta(days=90),
                    )
                ],
                password=PASSWORD,
                otp=otp(cast.reviewer),
            ),
            "rating_authorization.issue_hhs_customer",
        ),
        "authorized_signer_designate": lambda cast: case(
            lambda: signers.authorized_signer_designate(
                user=cast.applicant,
                actor=cast.applicant,  # nobody designates themselves
                organization=cast.manufacturer,
                delegation="Board resolution",
                delegated_on=dt.date(2026, 1, 1),
            ),
            "membership.designate_signer",
            cast.applicant,
        ),
    }
