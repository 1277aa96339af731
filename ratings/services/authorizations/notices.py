"""The authorized party's notice of a change HHS signed to its rating authorization.

Written in the change's transaction (outbox), to the request's applicants and the party's
authorized signers: the people who place rated orders under it. Each order a change reaches
sends its own notices (services.orders.notices: the supplier's copy and the customer's).
"""

from __future__ import annotations

from ratings.constants import NotificationKind, Role
from ratings.models import Notification, RatingAuthorization, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.requests.notices import applicant_recipients

SUBJECTS = {
    "revoked": "{number}: HHS revoked your rating authorization",
    "upgraded": "{number}: HHS upgraded your rating authorization to {rating}",
    "amended": "{number}: HHS amended your rating authorization",
}


def authorized_party_recipients(authorization: RatingAuthorization) -> list[User]:
    signers = User.objects.filter(
        is_active=True,
        memberships__organization_id=authorization.authorized_party_id,
        memberships__role=Role.AUTHORIZED_SIGNER,
        memberships__is_active=True,
    ).order_by("pk")
    source = authorization.rating_request
    return [*(applicant_recipients(source) if source is not None else []), *signers]


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
