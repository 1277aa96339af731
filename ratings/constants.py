"""States, choices and the fixed texts the rules require."""

from django.db import models

from audit import constants as audit_constants


class OrganizationKind(models.TextChoices):
    AGENCY = "agency", "Agency (HHS)"
    MANUFACTURER = "manufacturer", "Manufacturer"
    SUPPLIER = "supplier", "Supplier"


class Role(models.TextChoices):
    """The roles of shared/domain.md. HHS roles belong to an agency membership."""

    APPLICANT = "applicant", "Applicant (manufacturer staff)"
    SUPPLIER_CONTACT = "supplier_contact", "Supplier contact"
    INTAKE_ANALYST = "intake_analyst", "HHS intake analyst"
    REVIEWER = "reviewer", "HHS reviewer"
    APPROVING_OFFICIAL = "approving_official", "HHS approving official"
    # 45 CFR 101.32(a)(3): signs rated orders for the organization placing them (a recorded delegation).
    AUTHORIZED_SIGNER = "authorized_signer", "Authorized signer of rated orders"
    HHS_ADMIN = "hhs_admin", "HHS administrator"
    AUDITOR = "auditor", "Auditor"


HHS_ROLES = frozenset({Role.INTAKE_ANALYST, Role.REVIEWER, Role.APPROVING_OFFICIAL, Role.HHS_ADMIN, Role.AUDITOR})
# Roles that take workflow actions as HHS staff (AC-5: the administrator and auditor take none).
HHS_WORKFLOW_ROLES = frozenset({Role.INTAKE_ANALYST, Role.REVIEWER, Role.APPROVING_OFFICIAL})
# NIST AC-5: whoever audits stays independent of what is audited, so an auditor holds no other
# HHS role, and the administrator of accounts is never also their auditor.
INCOMPATIBLE_ROLES: dict[str, frozenset[str]] = {
    Role.AUDITOR: frozenset({Role.INTAKE_ANALYST, Role.REVIEWER, Role.APPROVING_OFFICIAL, Role.HHS_ADMIN}),
    Role.HHS_ADMIN: frozenset({Role.AUDITOR}),
    Role.INTAKE_ANALYST: frozenset({Role.AUDITOR}),
    Role.REVIEWER: frozenset({Role.AUDITOR}),
    Role.APPROVING_OFFICIAL: frozenset({Role.AUDITOR}),
}


class RatingLevel(models.TextChoices):
    """DX outranks DO; both outrank unrated orders (45 CFR 101.31 / 15 CFR 700.11)."""

    DO = "DO", "DO"
    DX = "DX", "DX"


LEVEL_RANK: dict[str, int] = {RatingLevel.DO: 1, RatingLevel.DX: 2}


class HealthResourceCategory(models.TextChoices):
    VACCINE = "vaccine", "Vaccine"
    THERAPEUTIC = "therapeutic", "Therapeutic"
    DIAGNOSTIC_TEST = "diagnostic_test", "Diagnostic test"
    OTHER_COUNTERMEASURE = "other_countermeasure", "Other medical countermeasure"


class RequestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    INFO_REQUESTED = "info_requested", "Information requested"
    RETURNED = "returned", "Returned for correction"
    RECOMMENDED = "recommended", "Recommended"
    APPROVED = "approved", "Approved"
    ISSUED = "issued", "Authorized (rating authorization signed)"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A request can be withdrawn by its applicant at any point before the decision.
WITHDRAWABLE_STATES = [
    RequestState.DRAFT,
    RequestState.SUBMITTED,
    RequestState.IN_REVIEW,
    RequestState.INFO_REQUESTED,
    RequestState.RETURNED,
    RequestState.RECOMMENDED,
]
# The applicant edits the request while it is a draft, or after HHS returned it for correction.
EDITABLE_STATES = [RequestState.DRAFT, RequestState.RETURNED]
# Intake returns a submitted request, the assigned reviewer one in review; resubmission goes back there.
RETURNABLE_STATES = [RequestState.SUBMITTED, RequestState.IN_REVIEW]
# A reviewer is (re)assigned while the review is open.
REASSIGNABLE_STATES = [RequestState.IN_REVIEW, RequestState.INFO_REQUESTED, RequestState.RETURNED]
# HHS review clock runs in these states (paused while information is requested).
REVIEW_CLOCK_STATES = [RequestState.SUBMITTED, RequestState.IN_REVIEW, RequestState.RECOMMENDED]


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve"
    DENY = "deny", "Deny"


# Reviewer checklist: what a recommendation must address (EO 13603 §201, 45 CFR 101.30).
REVIEW_CHECKLIST = {
    "eligible_health_resource": "The item is an eligible health resource (EO 13603 §201).",
    "genuine_need": "The need is genuine and documented.",
    "supports_government_program": "The order supports an approved government program.",
    "effect_on_other_orders_considered": "The effect on other rated and unrated orders was considered.",
}

FALSE_STATEMENT_WARNING = (
    "WARNING: Knowingly and willfully making a materially false, fictitious, or fraudulent "
    "statement or representation, or concealing a material fact, in this request is a crime "
    "punishable by fine or imprisonment, or both (18 U.S.C. 1001)."
)

CERTIFICATION_TEXT = (
    "I certify that I am authorized to submit this request on behalf of the applicant, that the "
    "information in it and in its attachments is true, accurate and complete to the best of my "
    "knowledge, and that the orders named in it are needed to support the program stated. " + FALSE_STATEMENT_WARNING
)

# DPA §705(d): the legend is defined once, in the bottom layer, because the audit trail's exports
# carry company data too; pages and documents print the same text.
CONFIDENTIALITY_LEGEND = audit_constants.CONFIDENTIALITY_LEGEND

# 45 CFR 101.32(a)(4), in substance (mirrors 15 CFR 700.12(d)).
# 45 CFR 101.32(c), in substance (paragraph text not seen: docs/regulatory.md B8); {hours} is the
# order's own time limit.
EMERGENCY_PREPAREDNESS_STATEMENT = (
    "This rated order is placed for emergency preparedness. You must accept or reject it, and send your "
    "acceptance or rejection to the customer, within {hours} hours of receipt."
)
# HRPAS's section on extending a rating to one's own suppliers (the DPAS model is 15 CFR 700.15).
EXTENSION_CITATION = "45 CFR 101.35"
# 45 CFR 101.36(e)-(f): cancellations reach every supplier the order reached.
CANCELLATION_SUB_TIER_DUTY = (
    "Cancel every rated order you placed with your own suppliers to fill this order, or the priority rating on "
    "those orders, and promptly notify each of those suppliers in writing (45 CFR 101.36(e)-(f)). Orders you "
    "recorded in this portal as extending this rating are cancelled with it and their suppliers are notified; "
    "tell any other sub-tier supplier yourself."
)
RATED_ORDER_CERTIFICATION = (
    "This is a rated order certified for national defense use, and you are required to follow "
    "all the provisions of the Health Resources Priorities and Allocations System regulation at "
    "45 CFR part 101."
)


# --- Rated orders -----------------------------------------------------------------


class OrderStatus(models.TextChoices):
    """Life of a rated order. The supplier issue adds its responses (accepted, rejected,
    delay_notified, fulfilled) as further states of the same field."""

    ISSUED = "issued", "Issued"
    AMENDED = "amended", "Amended"
    CANCELLED = "cancelled", "Cancelled"
    # Supplier responses. A delay notice is a SupplierResponse record; the order stays accepted.
    ACCEPTED = "accepted", "Accepted by the supplier"
    REJECTED = "rejected", "Rejected by the supplier"
    FULFILLED = "fulfilled", "Fulfilled"


class DocumentKind(models.TextChoices):
    ORDER = "order", "Rated order"
    CANCELLATION = "cancellation", "Cancellation notice"


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    GENERATED = "generated", "Generated"
    FAILED = "failed", "Failed"


class AmendmentSignificance(models.TextChoices):
    """45 CFR 101.36 / 15 CFR 700.16: a significant schedule change is a new rated order."""

    ORIGINAL = "original", "Original order"
    SIGNIFICANT = "significant", "Significant change (new rated order, new acceptance clock)"
    NOT_SIGNIFICANT = "not_significant", "Not significant"


class SupplierNoticeKind(models.TextChoices):
    ISSUED = "issued", "New rated order"
    AMENDED = "amended", "Amendment"
    CANCELLED = "cancelled", "Cancellation"


# 21 CFR 11.50(a)(3): the meaning of the signature, shown wherever it is shown.
SIGNATURE_MEANING_APPROVAL = "Approved: authorizes the priority rating"
SIGNATURE_MEANING_CANCELLATION = "Cancelled: withdraws the priority rating"
# The party that placed the order changes or cancels it by written notice (45 CFR 101.36(a)(2)).
SIGNATURE_MEANING_PLACING_AMENDMENT = "Amended: the customer that placed the order changes it"
SIGNATURE_MEANING_CHANGE_AGREEMENT = "Agreed: the supplier agrees to this change of the order"
SIGNATURE_MEANING_PLACING_CANCELLATION = "Cancelled: the customer that placed the order withdraws it and its rating"
SIGNATURE_MEANING_AUTHORIZATION = "Approved: authorizes the priority rating and the placing of rated orders under it"
SIGNATURE_MEANING_PLACEMENT = "Placed and signed for the placing organization: certifies this rated order"


# --- Notifications ---------------------------------------------------------------
class NotificationKind(models.TextChoices):
    REQUEST_STATUS = "request_status", "Request status changed"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    INFORMATION_PROVIDED = "information_provided", "Information provided"
    REQUEST_DECISION = "request_decision", "Decision on a request"
    REVIEW_ASSIGNED = "review_assigned", "Review assigned"
    INVITATION = "invitation", "Invitation to the portal"
    ORDER_ISSUED = "order_issued", "Rated order issued"
    ORDER_AMENDED = "order_amended", "Rated order amended"
    ORDER_CANCELLED = "order_cancelled", "Rated order cancelled"
    RESPONSE_REMINDER = "response_reminder", "Response reminder"
    RESPONSE_OVERDUE = "response_overdue", "Response overdue"
    ORDER_RESPONSE = "order_response", "Supplier response to a rated order"
    OFFER_ACCEPTED = "offer_accepted", "The customer accepted the supplier's offered date"
    ASSISTANCE_UPDATE = "assistance_update", "Special priorities assistance case update"
    DIRECTIVE_ISSUED = "directive_issued", "Directive from HHS"
    DELAY_CONFIRMATION_DUE = "delay_confirmation_due", "Written confirmation of a delay is due"
    # The customer's copy of an amendment or cancellation HHS made to an order it placed.
    PLACED_ORDER_CHANGED = "placed_order_changed", "A rated order you placed was amended or cancelled"
    # The authorized party's: its signers' orders to place; HHS revoking, upgrading or amending it.
    AUTHORIZATION_ISSUED = "authorization_issued", "HHS authorized rated orders for you to place"
    AUTHORIZATION_CHANGED = "authorization_changed", "HHS changed your rating authorization"
    CHANGE_PROPOSED = "change_proposed", "A change to a rated order awaits your signed agreement"
    CHANGE_AGREED = "change_agreed", "The supplier signed its agreement to your proposed change"
    # HHS staff notices.
    REQUEST_SUBMITTED = "request_submitted", "New submission"
    REQUEST_RESUBMITTED = "request_resubmitted", "Corrected request resubmitted"
    REQUEST_WITHDRAWN = "request_withdrawn", "Request withdrawn"
    REVIEW_OVERDUE = "review_overdue", "HHS review overdue"
    ASSISTANCE_CASE_OPENED = "assistance_case_opened", "Assistance case opened"
    RETURNED_FOR_CORRECTION = "returned_for_correction", "Returned for correction"
    DIGEST = "digest", "Daily digest"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint disabled after repeated failures"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    HELD = "held", "Held for the daily digest"
    DIGESTED = "digested", "Sent in a daily digest"
    IN_APP = "in_app", "In-app only (e-mail off)"


class NotificationDelivery(models.TextChoices):
    """How a recipient wants the notices of one category: each at once, a daily digest, or
    in the app only. Legally required notices ignore the choice and go out at once."""

    IMMEDIATE = "immediate", "E-mail each notice at once"
    DIGEST = "digest", "One e-mail a day (daily digest)"
    OFF = "off", "No e-mail (in the app only)"


class NoticeCategory(models.TextChoices):
    """What a recipient sets a preference for: a group of notice kinds."""

    REQUEST_ACTIVITY = "request_activity", "Requests: new submissions, answers, corrections, withdrawals, assignments"
    SUPPLIER_ANSWERS = "supplier_answers", "Supplier answers to rated orders (acceptances, rejections, delays)"
    OVERDUE = "overdue", "Overdue work: HHS reviews and supplier answers"
    ASSISTANCE = "assistance", "Special priorities assistance cases"
    REQUEST_STATUS = "request_status", "Status of your organization's requests"
    REMINDERS = "reminders", "Reminders before an answer is due"


NOTICE_CATEGORY = {
    NotificationKind.REQUEST_SUBMITTED: NoticeCategory.REQUEST_ACTIVITY,
    NotificationKind.REQUEST_RESUBMITTED: NoticeCategory.REQUEST_ACTIVITY,
    NotificationKind.REQUEST_WITHDRAWN: NoticeCategory.REQUEST_ACTIVITY,
    NotificationKind.INFORMATION_PROVIDED: NoticeCategory.REQUEST_ACTIVITY,
    NotificationKind.REVIEW_ASSIGNED: NoticeCategory.REQUEST_ACTIVITY,
    NotificationKind.ORDER_RESPONSE: NoticeCategory.SUPPLIER_ANSWERS,
    NotificationKind.REVIEW_OVERDUE: NoticeCategory.OVERDUE,
    NotificationKind.RESPONSE_OVERDUE: NoticeCategory.OVERDUE,
    NotificationKind.ASSISTANCE_CASE_OPENED: NoticeCategory.ASSISTANCE,
    NotificationKind.ASSISTANCE_UPDATE: NoticeCategory.ASSISTANCE,
    NotificationKind.REQUEST_STATUS: NoticeCategory.REQUEST_STATUS,
    NotificationKind.RESPONSE_REMINDER: NoticeCategory.REMINDERS,
}
# Never held or switched off (45 CFR 101.32-101.36 written notice of orders, amendments and
# cancellations, whose delivery starts the supplier's clock; decisions, questions and returns the
# applicant must act on; invitations; the digest itself): every kind not in NOTICE_CATEGORY.
OPTIONAL_NOTICE_CATEGORIES = sorted(set(NOTICE_CATEGORY.values()))
# The optional categories a manufacturer's or supplier's people receive (the rest are HHS staff's).
PORTAL_NOTICE_CATEGORIES = [
    NoticeCategory.REQUEST_STATUS,
    NoticeCategory.SUPPLIER_ANSWERS,
    NoticeCategory.REMINDERS,
    NoticeCategory.OVERDUE,
    NoticeCategory.ASSISTANCE,
]


# --- Supplier responses and flow-down -----------------------------------


class SupplierResponseKind(models.TextChoices):
    ACCEPT = "accept", "Accepted"
    REJECT = "reject", "Rejected"
    DELAY = "delay", "Delay notified in writing"
    # A delay the supplier reported outside the portal (phone, meeting), recorded by the customer
    # or HHS: it needs the supplier's written confirmation (15 CFR 700.13(d)).
    DELAY_REPORTED = "delay_reported", "Delay reported outside the portal (recorded)"
    DELAY_CONFIRMED = "delay_confirmed", "Delay confirmed in writing"
    FULFILLED = "fulfilled", "Fulfilled"


class RejectionReason(models.TextChoices):
    """15 CFR 700.13(b) (mandatory) and (c) (optional); 45 CFR 101.33 mirrors it [U]."""

    # Mandatory: the supplier must reject.
    CANNOT_MEET_DATE = "cannot_meet_date", "Cannot meet the required delivery date (mandatory)"
    INTERFERES_WITH_DO_DX = (
        "interferes_with_do_dx",
        "DO order that would interfere with accepted DO or DX orders (mandatory)",
    )
    INTERFERES_WITH_DX = "interferes_with_dx", "DX order that would interfere with accepted DX orders (mandatory)"
    # Optional: the supplier may reject.
    TERMS_OF_SALE = "terms_of_sale", "Customer unwilling to meet regular terms of sale or payment (optional)"
    NOT_SUPPLIED = "not_supplied", "Item not supplied or made by the supplier (optional)"
    OWN_USE_ONLY = "own_use_only", "Item made only for the supplier's own use (optional)"
    CUSTOMER_CAN_MAKE = "customer_can_make", "Customer can make the item itself (optional)"
    VIOLATES_LAW = "violates_law", "Acceptance would violate other law (optional)"


MANDATORY_REJECTION_REASONS = frozenset(
    {RejectionReason.CANNOT_MEET_DATE, RejectionReason.INTERFERES_WITH_DO_DX, RejectionReason.INTERFERES_WITH_DX}
)
# Where each reason is written. DPAS paragraphs confirmed in published copies (docs/regulatory.md
# C3-C5); the optional reasons of 700.13(c) and every HRPAS paragraph (45 CFR 101.33) unconfirmed.
REJECTION_REASON_CITATIONS: dict[str, str] = {
    RejectionReason.CANNOT_MEET_DATE: "15 CFR 700.13(b)(1); 45 CFR 101.33",
    RejectionReason.INTERFERES_WITH_DO_DX: "15 CFR 700.13(b)(2); 45 CFR 101.33",
    RejectionReason.INTERFERES_WITH_DX: "15 CFR 700.13(b)(3); 45 CFR 101.33",
    RejectionReason.TERMS_OF_SALE: "15 CFR 700.13(c); 45 CFR 101.33",
    RejectionReason.NOT_SUPPLIED: "15 CFR 700.13(c); 45 CFR 101.33",
    RejectionReason.OWN_USE_ONLY: "15 CFR 700.13(c); 45 CFR 101.33",
    RejectionReason.CUSTOMER_CAN_MAKE: "15 CFR 700.13(c); 45 CFR 101.33",
    RejectionReason.VIOLATES_LAW: "15 CFR 700.13(c); 45 CFR 101.33",
}
# 15 CFR 700.13(b)(2)-(3): an interference reason is for the order level it names, and the
# accepted orders it interferes with must be of these levels.
INTERFERENCE_REASON_LEVELS: dict[str, tuple[str, frozenset[str]]] = {
    RejectionReason.INTERFERES_WITH_DO_DX: (RatingLevel.DO, frozenset({RatingLevel.DO, RatingLevel.DX})),
    RejectionReason.INTERFERES_WITH_DX: (RatingLevel.DX, frozenset({RatingLevel.DX})),
}
# Reasons that must state the earliest date (otherwise) possible and offer to accept on it.
REASONS_WITH_EARLIEST_DATE_OFFER = MANDATORY_REJECTION_REASONS


def rejection_reasons_for(level: str) -> list[tuple[str, str]]:
    """The reasons a supplier may give for an order of `level`, each with its citation."""
    return [
        (value, f"{label} — {REJECTION_REASON_CITATIONS[value]}")
        for value, label in RejectionReason.choices
        if value not in INTERFERENCE_REASON_LEVELS or INTERFERENCE_REASON_LEVELS[value][0] == level
    ]


# 21 CFR 11.50(a)(3): what each supplier signature means.
SUPPLIER_RESPONSE_MEANINGS = {
    SupplierResponseKind.ACCEPT: "Accepted: the supplier accepts the rated order and will fill it as required",
    SupplierResponseKind.REJECT: "Rejected: the supplier rejects the rated order for the reason stated",
    SupplierResponseKind.DELAY: "Delay notified: the supplier gives notice of a delay and a new date",
    SupplierResponseKind.DELAY_REPORTED: (
        "Recorded: a delay the supplier reported outside the portal, awaiting its written confirmation"
    ),
    SupplierResponseKind.DELAY_CONFIRMED: "Delay confirmed: the supplier confirms in writing a delay it reported",
    SupplierResponseKind.FULFILLED: "Fulfilled: the supplier certifies the rated order has been filled",
}
SIGNATURE_MEANING_OFFER_ACCEPTED = "Accepted: the customer accepts the delivery date the supplier offered"
SIGNATURE_MEANING_EXTENSION = "Extended: certifies the rating is extended under 45 CFR 101.35"


class TokenScope(models.TextChoices):
    """What an API token may do. Checked on every API call (ratings.accounts.api_auth)."""

    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class GrantStatus(models.TextChoices):
    """A grant of approval authority waits for a second HHS administrator (two-person rule)."""

    PENDING = "pending", "Waiting for a second administrator"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class WebhookEventType(models.TextChoices):
    """What a webhook endpoint can subscribe to; the same events the feed /api/v1/events/ lists."""

    ORDER_ISSUED = "order.issued", "A rated order was issued to your organization (or for your request)"
    ORDER_AMENDED = "order.amended", "A rated order was amended"
    ORDER_CANCELLED = "order.cancelled", "A rated order was cancelled"
    ORDER_DOCUMENT_READY = "order.document_ready", "The signed PDF of an order version can be downloaded"
    ORDER_RESPONDED = "order.responded", "The supplier accepted, rejected, notified a delay or fulfilled an order"
    REQUEST_CHANGED = "request.changed", "A rating request moved on (submitted, question, returned, decided...)"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DELIVERED = "delivered", "Delivered (2xx)"
    FAILED = "failed", "Failed after the last attempt"
