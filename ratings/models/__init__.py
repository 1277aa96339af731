"""Models of the workflow domain, one module per aggregate."""

from ratings.models.notifications import Notification
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
    "Attachment",
    "InformationRequest",
    "LineItemDelivery",
    "Membership",
    "Notification",
    "Organization",
    "Program",
    "RatingRequest",
    "ReferenceCounter",
    "RequestLineItem",
    "User",
]
