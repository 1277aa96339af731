"""Every action the rating workflow audits, registered with audit's registry.

Services record these constants; the portal timeline and the auditors' filter show the labels.
"""

from __future__ import annotations

from audit.actions import AuditAction, register

# --- rating requests -------------------------------------------------------------------------
REQUEST_CREATE = register("rating_request.create", "Draft created")
REQUEST_COPY = register("rating_request.copy", "Draft started from an earlier request")
REQUEST_UPDATE = register("rating_request.update", "Draft updated")
REQUEST_SET_LINE_ITEMS = register("rating_request.set_line_items", "Line items updated")
REQUEST_SUBMIT = register(
    "rating_request.submit",
    "Certified and submitted",
    signature="Certification of the request by the applicant (18 U.S.C. 1001)",
)
REQUEST_ACCEPT_FOR_REVIEW = register("rating_request.accept_for_review", "Accepted for review")
REQUEST_REQUEST_INFORMATION = register("rating_request.request_information", "HHS asked a question")
REQUEST_RESPOND = register("rating_request.respond", "Answer sent to HHS")
REQUEST_RECOMMEND = register("rating_request.recommend", "Recommendation made", signature="Review recommendation")
REQUEST_RETURN_FOR_REWORK = register("rating_request.return_for_rework", "Returned to the reviewer")
REQUEST_APPROVE = register("rating_request.approve", "Approved", signature="Approval of the priority rating")
REQUEST_DENY = register("rating_request.deny", "Denied", signature="Denial of the request")
REQUEST_WITHDRAW = register("rating_request.withdraw", "Withdrawn")
REQUEST_RETURN_FOR_CORRECTION = register(
    "rating_request.return_for_correction", "Returned to the applicant for correction"
)
REQUEST_RESUBMIT = register("rating_request.resubmit", "Corrected, certified and resubmitted")
REQUEST_ASSIGN = register("rating_request.assign", "Reviewer assigned")
REQUEST_REVIEW_OVERDUE = register("rating_request.review_overdue", "HHS review overdue")
REQUEST_PREVIEW = register("rating_request.preview", "Preview of the orders approval would issue")
ATTACHMENT_ADD = register("attachment.add", "File attached")
ATTACHMENT_DOWNLOAD = register("attachment.download", "File downloaded")
ATTACHMENT_REMOVE = register("attachment.remove", "File removed from a draft")

# --- rated orders ------------------------------------------------------------------------------
ORDER_ISSUE = register("rated_order.issue", "Rated order issued")
ORDER_PLACE = register(
    "rated_order.place",
    "Rated order placed under an authorization",
    signature="Signature of the placing organization's authorized signer (45 CFR 101.32(a)(3))",
)
AUTHORIZATION_ISSUE = register("rating_authorization.issue", "Rating authorization signed")
AUTHORIZATION_ISSUE_HHS_CUSTOMER = register(
    "rating_authorization.issue_hhs_customer",
    "HHS customer authorization signed (HHS is the customer)",
    signature="Signature of the HHS approving official authorizing HHS's own rated orders",
)
AUTHORIZATION_DOCUMENT_GENERATE = register("rating_authorization.document_generate", "Authorization document generated")
AUTHORIZATION_DOCUMENT_DOWNLOAD = register(
    "rating_authorization.document_download", "Authorization document downloaded"
)
AUTHORIZATION_REVOKE = register(
    "rating_authorization.revoke",
    "Rating authorization revoked",
    signature="Signature of the HHS approving official (21 CFR 11.50)",
)
AUTHORIZATION_UPGRADE = register(
    "rating_authorization.upgrade",
    "Rating authorization upgraded from DO to DX",
    signature="Signature of the HHS approving official (21 CFR 11.50)",
)
AUTHORIZATION_AMEND = register(
    "rating_authorization.amend",
    "Rating authorization amended",
    signature="Signature of the HHS approving official (21 CFR 11.50)",
)
ORDER_AMEND = register("rated_order.amend", "Rated order amended")
ORDER_CANCEL = register("rated_order.cancel", "Rated order cancelled")
ORDER_RECEIVED = register("rated_order.received", "Rated order received by the supplier")
ORDER_OVERDUE = register("rated_order.overdue", "Supplier's answer overdue")
ORDER_DOCUMENT_GENERATE = register("rated_order.document_generate", "Order document generated")
ORDER_DOCUMENT_RETRY = register("rated_order.document_retry", "Order document generation retried")
ORDER_DOCUMENT_DOWNLOAD = register("rated_order.document_download", "Order document downloaded")

# --- supplier responses and flow-down ----------------------------------------------------------
ORDER_ACCEPT = register("rated_order.accept", "Supplier accepted the order")
ORDER_REJECT = register("rated_order.reject", "Supplier rejected the order")
ORDER_NOTIFY_DELAY = register("rated_order.notify_delay", "Supplier notified a delay")
ORDER_MARK_FULFILLED = register("rated_order.mark_fulfilled", "Supplier marked the order fulfilled")
ORDER_RECORD_DELAY = register("rated_order.record_delay", "Delay reported outside the portal recorded")
ORDER_CONFIRM_DELAY = register("rated_order.confirm_delay", "Supplier confirmed a delay in writing")
ORDER_ACCEPT_OFFER = register("rated_order.accept_offer", "Customer accepted the supplier's offered date")
ORDER_FLOWDOWN = register("rated_order.flowdown", "Rating extended to a sub-tier supplier")
ORDER_CHANGE_PROPOSE = register("rated_order.change_propose", "Change proposed to the supplier for its agreement")
ORDER_CHANGE_AGREE = register(
    "rated_order.change_agree",
    "Supplier agreed to a change",
    signature="The supplier's agreement to a change of the order (45 CFR 101.36(d))",
)

# --- notices and accounts ----------------------------------------------------------------------
NOTIFICATION_SENT = register("notification.sent", "Notice sent")
NOTIFICATION_FAILED = register("notification.failed", "Notice failed")
NOTIFICATION_READ = register("notification.read", "Notice marked read")
NOTIFICATION_READ_ALL = register("notification.read_all", "All notices marked read")
NOTIFICATION_RESEND = register("notification.resend", "Notice sent again")
NOTIFICATION_PREFERENCES = register("notification.preferences", "Notice preferences changed")
CONFLICT_DECLARE = register("conflict_of_interest.declare", "Conflict of interest declared")
CONFLICT_WITHDRAW = register("conflict_of_interest.withdraw", "Conflict of interest withdrawn")
CONTACT_INVITE = register("supplier_contact.invite", "Supplier contact invited")
CONTACT_REINVITE = register("supplier_contact.reinvite", "Supplier contact invited again")
CONTACT_INVITATION_ACCEPTED = register("supplier_contact.invitation_accepted", "Invitation accepted")

# --- the program view ---------------------------------------------------------------------------
PROGRAM_VIEW_OPEN = register("program_view.open", "Program view opened")
PROGRAM_VIEW_EXPORT = register("program_view.export", "Program view table downloaded (CSV)")
ITEM_FAMILY_CREATE = register("item_family.create", "Item family created")
ITEM_FAMILY_UPDATE = register("item_family.update", "Item family changed")
CAPACITY_REPORT = register("capacity.report", "Supplier reported capacity and lead time")

REQUEST_ACTIONS: dict[str, AuditAction] = {
    "submit": REQUEST_SUBMIT,
    "accept_for_review": REQUEST_ACCEPT_FOR_REVIEW,
    "request_information": REQUEST_REQUEST_INFORMATION,
    "respond": REQUEST_RESPOND,
    "recommend": REQUEST_RECOMMEND,
    "return_for_rework": REQUEST_RETURN_FOR_REWORK,
    "approve": REQUEST_APPROVE,
    "deny": REQUEST_DENY,
    "withdraw": REQUEST_WITHDRAW,
    "return_for_correction": REQUEST_RETURN_FOR_CORRECTION,
    "resubmit": REQUEST_RESUBMIT,
}

# --- accounts, credentials and the second factor -----------------------------------------------
ACCOUNT_CREATE = register("account.create", "Account created")
ACCOUNT_UPDATE = register("account.update", "Account changed")
ACCOUNT_SUPERUSER_CREATE = register("account.superuser_create", "Superuser created from the command line")
ACCOUNT_PASSWORD_CHANGE = register("account.password_change", "Password changed")
ACCOUNT_PASSWORD_RESET_REQUEST = register("account.password_reset_request", "Password reset asked for")
ACCOUNT_PASSWORD_RESET = register("account.password_reset", "Password reset by e-mail link")
MEMBERSHIP_ADD = register("membership.add", "Role given")
SIGNER_DESIGNATE = register("membership.designate_signer", "Authorized signer of rated orders designated")
MEMBERSHIP_CHANGE = register("membership.change", "Role changed")
AUTHORITY_GRANT_REQUEST = register("authority_grant.request", "Approval authority asked for")
AUTHORITY_GRANT_CONFIRM = register("authority_grant.confirm", "Approval authority confirmed by a second administrator")
AUTHORITY_GRANT_REJECT = register("authority_grant.reject", "Approval authority refused by a second administrator")
ORGANIZATION_CREATE = register("organization.create", "Organization created")
ORGANIZATION_UPDATE = register("organization.update", "Organization changed")
PROGRAM_CREATE = register("program.create", "Program created")
PROGRAM_UPDATE = register("program.update", "Program changed")
API_TOKEN_ISSUE = register("api_token.issue", "API token created")
API_TOKEN_REVOKE = register("api_token.revoke", "API token revoked")
API_TOKEN_EXPIRE = register("api_token.expire", "API token expired")
MFA_ENROL = register("mfa.enrol", "Second factor set up")
MFA_RECOVERY_CODES = register("mfa.recovery_codes", "Recovery codes made")
MFA_VERIFY = register("mfa.verify", "Signed in with the second factor")
MFA_RESET = register("mfa.reset", "Second factor reset by an administrator")

# --- the working-day calendar ----------------------------------------------------------------
CLOSURE_DAY_DECLARE = register("closure_day.declare", "Closure day declared (not a working day)")
CLOSURE_DAY_WITHDRAW = register("closure_day.withdraw", "Closure day withdrawn")

# --- special priorities assistance, directives, reconsideration ---------------------------------
ASSISTANCE_OPEN = register("assistance_case.open", "Special priorities assistance asked for")
ASSISTANCE_TAKE = register("assistance_case.take", "Assistance case taken in; case officer assigned")
ASSISTANCE_ASK = register("assistance_case.ask", "HHS asked a party of the case a question")
ASSISTANCE_ANSWER = register("assistance_case.answer", "A party answered HHS's question")
ASSISTANCE_RECORD_ACTION = register("assistance_case.record_action", "HHS recorded an action taken")
ASSISTANCE_CLOSE = register("assistance_case.close", "Assistance case closed with its outcome")
DIRECTIVE_ISSUE = register("directive.issue", "Directive issued", signature="Directive to the supplier")
DIRECTIVE_DELIVERED = register("directive.delivered", "Directive delivered to the supplier")
DIRECTIVE_ACKNOWLEDGE = register("directive.acknowledge", "Directive acknowledged by the supplier")
REQUEST_NAME_SUPPLIER_CONTACT = register(
    "rating_request.name_supplier_contact", "Contact e-mail named for a supplier without a portal contact"
)
CONTACT_DEACTIVATE = register("supplier_contact.deactivate", "Supplier contact deactivated")
UNREACHABLE_ESCALATE = register("supplier.unreachable_escalate", "Unreachable supplier escalated to HHS intake")
REQUEST_RECONSIDERATION_ASK = register("rating_request.reconsideration_ask", "Reconsideration of the denial asked for")
REQUEST_RECONSIDERATION_DECIDE = register(
    "rating_request.reconsideration_decide", "Reconsideration decided", signature="Decision on reconsideration"
)
ORDER_NAME_SUB_SUPPLIER = register("rated_order.name_sub_supplier", "New sub-tier supplier named and invited")

# --- API webhooks --------------------------------------------------------------------------------
WEBHOOK_CREATE = register("webhook.create", "Webhook endpoint registered")
WEBHOOK_UPDATE = register("webhook.update", "Webhook endpoint changed")
WEBHOOK_ROTATE_SECRET = register("webhook.rotate_secret", "Webhook signing secret rotated")
WEBHOOK_DELETE = register("webhook.delete", "Webhook endpoint removed")
WEBHOOK_DISABLE = register("webhook.disable", "Webhook endpoint disabled after repeated failures")
WEBHOOK_REPLAY = register("webhook.replay", "Webhook delivery replayed")
