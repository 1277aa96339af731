"""Models of the workflow domain, one module per aggregate."""

from ratings.models.accounts import ApiToken, AuthorityGrant
from ratings.models.conflicts import ConflictOfInterest
from ratings.models.notifications import Notification, NotificationPreference
from ratings.models.orders import (
    Document,
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    Signature,
    SupplierResponse,
)
from ratings.models.organizations import Membership, Organization, Program, User
from ratings.models.program import CapacityReport, ItemFamily, ItemFamilyKey
from ratings.models.requests import (
    Attachment,
    InformationRequest,
    LineItemDelivery,
    RatingRequest,
    RequestLineItem,
)
from ratings.models.sequences import ReferenceCounter
from ratings.models.submissions import RequestSubmission

__all__ = [
    "ApiToken",
    "Attachment",
    "AuthorityGrant",
    "CapacityReport",
    "ConflictOfInterest",
    "Document",
    "InformationRequest",
    "ItemFamily",
    "ItemFamilyKey",
    "LineItemDelivery",
    "Membership",
    "Notification",
    "NotificationPreference",
    "Organization",
    "Program",
    "RatedOrder",
    "RatedOrderItem",
    "RatedOrderVersion",
    "RatingRequest",
    "ReferenceCounter",
    "RequestLineItem",
    "RequestSubmission",
    "Signature",
    "SupplierResponse",
    "User",
]
