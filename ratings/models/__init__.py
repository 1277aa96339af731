"""Models of the workflow domain, one module per aggregate."""

from ratings.models.accounts import ApiToken, AuthorityGrant
from ratings.models.agreements import ChangeAgreement, ChangeAgreementStatus
from ratings.models.api import (
    IdempotencyRecord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from ratings.models.authorizations import RatingAuthorization, RatingAuthorizationVersion
from ratings.models.calendar import ClosureDay
from ratings.models.conflicts import ConflictOfInterest
from ratings.models.decisions import ApprovalDecision, ItemOutcome
from ratings.models.line_items import LineItemDelivery, RequestLineItem
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
from ratings.models.reach import SupplierNomination
from ratings.models.requests import Attachment, InformationRequest, RatingRequest
from ratings.models.resolutions import AssistanceCase, AssistanceEntry, Directive, OfferAcceptance, Reconsideration
from ratings.models.sequences import ReferenceCounter
from ratings.models.submissions import RequestSubmission

__all__ = [
    "ApiToken",
    "ApprovalDecision",
    "AssistanceCase",
    "AssistanceEntry",
    "Attachment",
    "AuthorityGrant",
    "CapacityReport",
    "ChangeAgreement",
    "ChangeAgreementStatus",
    "ClosureDay",
    "ConflictOfInterest",
    "Directive",
    "Document",
    "IdempotencyRecord",
    "InformationRequest",
    "ItemFamily",
    "ItemFamilyKey",
    "ItemOutcome",
    "LineItemDelivery",
    "Membership",
    "Notification",
    "NotificationPreference",
    "OfferAcceptance",
    "Organization",
    "Program",
    "RatedOrder",
    "RatedOrderItem",
    "RatedOrderVersion",
    "RatingAuthorization",
    "RatingAuthorizationVersion",
    "RatingRequest",
    "Reconsideration",
    "ReferenceCounter",
    "RequestLineItem",
    "RequestSubmission",
    "Signature",
    "SupplierNomination",
    "SupplierResponse",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
