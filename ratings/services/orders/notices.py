"""Which notices rated orders send, and to whom.

Every function is called inside the transaction of its cause (issue, amendment, cancellation,
supplier response), so the notice commits or rolls back with it. Keys are
order + version + kind + recipient: a cause writes each notice once. Reminders and escalations,
written in bulk by the sweep, are in `reminder_writes`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import models
from django.utils import timezone

from ratings import permissions_casework
from ratings.clock import agency_time
from ratings.constants import NotificationKind, Role, SupplierNoticeKind, SupplierResponseKind, WebhookEventType
from ratings.models import Notification, RatedOrder, RatedOrderVersion, SupplierResponse, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.orders.clocks import response_due_for
from ratings.services.requests.notices import applicant_recipients, intake_analysts
from ratings.services.suppliers import reach
from ratings.services.webhooks import events

VERSION_EVENTS = {
    SupplierNoticeKind.ISSUED: WebhookEventType.ORDER_ISSUED,
    SupplierNoticeKind.AMENDED: WebhookEventType.ORDER_AMENDED,
    SupplierNoticeKind.CANCELLED: WebhookEventType.ORDER_CANCELLED,
}
VERSION_NOTICES = {
    SupplierNoticeKind.ISSUED: (NotificationKind.ORDER_ISSUED, "{number}: new rated order ({rating})"),
    SupplierNoticeKind.AMENDED: (NotificationKind.ORDER_AMENDED, "{number}: rated order amended ({rating})"),
    SupplierNoticeKind.CANCELLED: (NotificationKind.ORDER_CANCELLED, "{number}: rated order cancelled ({rating})"),
}
# What the customer reads when HHS changes an order it placed (the supplier's copy is the order).
CUSTOMER_CHANGES = {
    SupplierNoticeKind.AMENDED: "{number}: {by} amended the rated order to {supplier}",
    SupplierNoticeKind.CANCELLED: "{number}: {by} cancelled the rated order to {supplier}",
}
RESPONSE_SUBJECTS = {
    SupplierResponseKind.ACCEPT: "{supplier} accepted rated order {number}",
    SupplierResponseKind.REJECT: "{supplier} rejected rated order {number}",
    SupplierResponseKind.DELAY: "{supplier} reports a delay on rated order {number}",
    SupplierResponseKind.DELAY_REPORTED: "Delay on rated order {number} recorded for {supplier}",
    SupplierResponseKind.DELAY_CONFIRMED: "{supplier} confirmed in writing a delay on rated order {number}",
    SupplierResponseKind.FULFILLED: "{supplier} fulfilled rated order {number}",
}


def answer_due(order: RatedOrder, version: RatedOrderVersion) -> dt.datetime | None:
    """When the supplier's answer to `version` is due: its running clock, or (not delivered yet)
    the due time if it is received now, as the notice is mailed within moments of this; None
    once answered (a minor amendment keeps the answer already given)."""
    if version.clock_closed_at is not None:
        return None
    return version.response_due_at or response_due_for(order, timezone.now())


def supplier_contacts(organization_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__organization__is_active=True,
            memberships__role=Role.SUPPLIER_CONTACT,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def placing_recipients(order: RatedOrder) -> list[User]:
    """Who placed the order: the applicant and its authorized signers (top tier: the signers place,
    amend and cancel it, 45 CFR 101.32(a)(3)), or the supplier that extended it."""
    if order.parent_id is not None:
        return supplier_contacts(order.placing_organization_id)
    signers = members_by_organization({order.placing_organization_id}, Role.AUTHORIZED_SIGNER)[
        order.placing_organization_id
    ]
    if order.source_request is None:
        # HHS placed it as the customer: its authorized signers.
        return signers
    return [*applicant_recipients(order.source_request), *signers]


def notify_order_version(*, order: RatedOrder, version: RatedOrderVersion) -> list[Notification]:
    """Issued / amended / cancelled notice of one version to every contact of the supplier."""
    kind, subject = VERSION_NOTICES[SupplierNoticeKind(version.supplier_notice_kind)]
    events.order_version_published(
        order=order, version=version, type=VERSION_EVENTS[SupplierNoticeKind(version.supplier_notice_kind)]
    )
    notice_kind = SupplierNoticeKind(version.supplier_notice_kind)
    context = {
        "order": order,
        "version": version,
        "notice": version.get_supplier_notice_kind_display(),
        "due": None if notice_kind == SupplierNoticeKind.CANCELLED else answer_due(order, version),
        "working_days": settings.SUPPLIER_RESPONSE_WORKING_DAYS.get(order.level),
    }
    rows = notify_many(
        recipients=reach.order_recipients(order),
        kind=kind,
        subject=subject.format(number=order.order_number, rating=order.rating),
        template="order_notice",
        context=context,
        key_prefix=f"rated_order:{order.pk}:v{version.number}:{kind}",
        target=version,
    )
    if notice_kind in CUSTOMER_CHANGES:
        # The placing party may change its own order (45 CFR 101.36(a)(2)): name who did.
        signer = version.signatures.get(kind=version.kind).signer
        by = signer.printed_name if permissions_casework.is_placing_party(order, signer) else "HHS"
        rows += notify_many(
            # Whoever signed the change knows of it; the rest of the placing party is told.
            recipients=[user for user in placing_recipients(order) if user.pk != signer.pk],
            kind=NotificationKind.PLACED_ORDER_CHANGED,
            subject=CUSTOMER_CHANGES[notice_kind].format(
                number=order.order_number, supplier=order.supplier.legal_name, by=by
            ),
            template="placed_order_changed",
            context={**context, "changed_by": by},
            key_prefix=f"rated_order:{order.pk}:v{version.number}:{NotificationKind.PLACED_ORDER_CHANGED}",
            # The order, not the version: only the supplier's copy of a version starts its clock.
            target=order,
        )
    return rows


def notify_response(*, order: RatedOrder, response: SupplierResponse) -> list[Notification]:
    """A supplier's answer goes to whoever placed the order and to HHS intake."""
    events.order_responded(order=order, response_kind=response.kind)
    return notify_many(
        recipients=[*placing_recipients(order), *intake_analysts()],
        kind=NotificationKind.ORDER_RESPONSE,
        subject=RESPONSE_SUBJECTS[SupplierResponseKind(response.kind)].format(
            supplier=order.supplier.legal_name, number=order.order_number
        ),
        template="order_response",
        context={"order": order, "response": response},
        key_prefix=f"rated_order:{order.pk}:response{response.pk}",
        target=order,
    )


def members_by_organization(organization_ids: set[int], role: str) -> dict[int, list[User]]:
    """Active users holding `role` in each of the organizations, in one query."""
    found: dict[int, list[User]] = defaultdict(list)
    rows = (
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=organization_ids,
            memberships__organization__is_active=True,
            memberships__role=role,
            memberships__is_active=True,
        )
        .annotate(organization_id=models.F("memberships__organization_id"))
        .order_by("pk")
    )
    for user in rows:
        if user not in found[user.organization_id]:
            found[user.organization_id].append(user)
    return found


def notify_delay_confirmation_due(*, order: RatedOrder, report: SupplierResponse) -> list[Notification]:
    """The supplier is told a delay it reported is on record and must be confirmed in writing."""
    return notify_many(
        recipients=supplier_contacts(order.supplier_id),
        kind=NotificationKind.DELAY_CONFIRMATION_DUE,
        subject=f"{order.order_number}: confirm in writing the delay you reported",
        template="case_event",
        context={
            "headline": f"Rated order {order.order_number} ({order.rating}): a delay you reported outside the portal "
            f"was recorded by {report.printed_name} on {agency_time(report.responded_at)}.",
            "lines": [
                f"Reported by: {report.channel}. Reasons recorded: {report.explanation}",
                f"New date recorded: {report.new_date}.",
                f"Confirm it in writing on the order's page by {agency_time(report.confirmation_due)} "
                "(15 CFR 700.13(d)).",
            ],
        },
        key_prefix=f"rated_order:{order.pk}:delay_report{report.pk}",
        target=order,
    )


def notify_offer_accepted(*, order: RatedOrder, response: SupplierResponse) -> list[Notification]:
    """The supplier and HHS intake learn the customer accepted the supplier's offered date."""
    return notify_many(
        recipients=[*supplier_contacts(order.supplier_id), *intake_analysts()],
        kind=NotificationKind.OFFER_ACCEPTED,
        subject=f"{order.order_number}: the customer accepted the offered date",
        template="case_event",
        context={
            "headline": f"{order.placing_organization.legal_name} accepted the date {response.earliest_date} that "
            f"{order.supplier.legal_name} offered for rated order {order.order_number} ({order.rating}).",
            "lines": ["The order will be amended to that date; the amended order is a new rated order to accept."],
        },
        key_prefix=f"rated_order:{order.pk}:offer{response.pk}",
        target=order,
    )
