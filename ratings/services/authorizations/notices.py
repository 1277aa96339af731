"""The authorized party's notices of its rating authorization: when HHS signs it, to the party's
authorized signers, who place the rated orders under it (the applicants hear of it in the
decision on their request); of each change HHS signs to it, to the request's applicants and the
signers.

Written in the signing or change's transaction (outbox). Each order a change reaches
sends its own notices (services.orders.notices: the supplier's copy and the customer's).
"""

from __future__ import annotations

from ratings.constants import NotificationKind, Role
from ratings.models import Notification, RatingAuthorization, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.orders.notices import members_by_organization
from ratings.services.requests.notices import applicant_recipients

SUBJECTS = {
    "revoked": "{number}: HHS revoked your rating authorization",
    "upgraded": "{number}: HHS upgraded your rating authorization to {rating}",
    "amended": "{number}: HHS amended your rating authorization",
}


def authorized_signers(organization_id: int) -> list[User]:
    """The organization's active authorized signers of rated orders (45 CFR 101.32(a)(3))."""
    return members_by_organization({organization_id}, Role.AUTHORIZED_SIGNER)[organization_id]


def authorized_party_recipients(authorization: RatingAuthorization) -> list[User]:
    source = authorization.rating_request
    return [
        *(applicant_recipients(source) if source is not None else []),
        *authorized_signers(authorization.authorized_party_id),
    ]


def notify_authorization_issued(authorization: RatingAuthorization) -> list[Notification]:
    """The signers of the party HHS authorized: the rated orders are theirs to place now."""
    return notify_many(
        recipients=authorized_signers(authorization.authorized_party_id),
        kind=NotificationKind.AUTHORIZATION_ISSUED,
        subject=f"{authorization.number}: rated orders to place ({authorization.rating})",
        template="authorization_issued",
        context={"authorization": authorization, "suppliers": authorization.supplier_names()},
        key_prefix=f"rating_authorization:{authorization.pk}:v{authorization.version}:issued",
        target=authorization,
    )


def notify_authorization_changed(
    authorization: RatingAuthorization, *, orders: list[str], orders_text: str
) -> list[Notification]:
    """`orders`: the numbers of the orders the change reached; `orders_text`: what happened to them."""
    return notify_many(
        recipients=authorized_party_recipients(authorization),
        kind=NotificationKind.AUTHORIZATION_CHANGED,
        subject=SUBJECTS[authorization.change].format(number=authorization.number, rating=authorization.rating),
        template="authorization_changed",
        context={"authorization": authorization, "orders": orders, "orders_text": orders_text},
        key_prefix=f"rating_authorization:{authorization.pk}:v{authorization.version}:{authorization.change}",
        target=authorization,
    )
