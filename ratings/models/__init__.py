"""Models of the workflow domain, one module per aggregate."""

from ratings.models.accounts import ApiToken, AuthorityGrant
from ratings.models.notifications import Notification
from ratings.models.orders import (
    Document,
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    Signature,
    SupplierResponse,
)
from ratings.models.organizations import Membership, Organization, Program, User
from ratings.models.requests import (
    Attachment,
    InformationRequest,
    LineItemDelivery,
    RatingRequest,
    RequestLineItem,
)
from ratings.models.sequences import ReferenceCounter

__all__ = [
    "ApiToken",
    "Attachment",
    "AuthorityGrant",
    "Document",
    "InformationRequest",
    "LineItemDelivery",
    "Membership",
    "Notification",
    "Organization",
    "Program",
    "RatedOrder",
    "RatedOrderItem",
    "RatedOrderVersion",
    "RatingRequest",
    "ReferenceCounter",
    "RequestLineItem",
    "Signature",
    "SupplierResponse",
    "User",
]
