"""Which notices rated orders send, and to whom.

Every function is called inside the transaction of its cause (issue, amendment, cancellation,
supplier response, reminder run), so the notice commits or rolls back with it. Keys are
order + version + kind (+ offset) + recipient: a cause writes each notice once.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from ratings.clock import agency_time
from ratings.constants import NotificationKind, Role, SupplierNoticeKind, WebhookEventType
from ratings.models import Notification, RatedOrder, RatedOrderVersion, SupplierResponse, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.requests.notices import applicant_recipients, intake_analysts
from ratings.services.webhooks import events

# Used until the supplier portal's order page exists (it is login-protected).
ORDER_PORTAL_PATH = "/portal/orders/{order_number}/"

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


def order_link(order: RatedOrder) -> str:
    try:
        return reverse("portal:order-detail", args=[order.order_number])
    except NoReverseMatch:
        return ORDER_PORTAL_PATH.format(order_number=order.order_number)


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
    """Who placed the order: the applicant (top tier) or the supplier that extended it."""
    if order.parent_id is not None:
        return supplier_contacts(order.placing_organization_id)
    return applicant_recipients(order.source_request)


def notify_order_version(*, order: RatedOrder, version: RatedOrderVersion) -> list[Notification]:
    """Issued / amended / cancelled notice of one version to every contact of the supplier."""
    kind, subject = VERSION_NOTICES[SupplierNoticeKind(version.supplier_notice_kind)]
    events.order_version_published(
        order=order, version=version, type=VERSION_EVENTS[SupplierNoticeKind(version.supplier_notice_kind)]
    )
    return notify_many(
        recipients=supplier_contacts(order.supplier_id),
        kind=kind,
        subject=subject.format(number=order.order_number, rating=order.rating),
        template="order_notice",
        context={"order": order, "version": version, "notice": version.get_supplier_notice_kind_display()},
        key_prefix=f"rated_order:{order.pk}:v{version.number}:{kind}",
        target=version,
        link=order_link(order),
    )


def notify_response(*, order: RatedOrder, response: SupplierResponse) -> list[Notification]:
    """A supplier's answer goes to whoever placed the order and to HHS intake."""
    events.order_responded(order=order, response_kind=response.kind)
    return notify_many(
        recipients=[*placing_recipients(order), *intake_analysts()],
        kind=NotificationKind.ORDER_RESPONSE,
        subject=f"{order.order_number}: {response.get_kind_display().lower()} by {order.supplier.legal_name}",
        template="order_response",
        context={"order": order, "response": response},
        key_prefix=f"rated_order:{order.pk}:response{response.pk}",
        target=order,
        link=reverse("admin:ratings_ratedorder_change", args=[order.pk]),
    )


def notify_reminder(*, version: RatedOrderVersion, offset: int) -> list[Notification]:
    order = version.order
    return notify_many(
        recipients=supplier_contacts(order.supplier_id),
        kind=NotificationKind.RESPONSE_REMINDER,
        subject=f"{order.order_number}: answer due in {offset} working day{'s' if offset != 1 else ''}",
        template="order_reminder",
        context={"order": order, "version": version, "offset": offset},
        key_prefix=f"rated_order:{order.pk}:v{version.number}:reminder{offset}",
        target=version,
        link=order_link(order),
    )


def notify_overdue(*, version: RatedOrderVersion) -> list[Notification]:
    order = version.order
    return notify_many(
        recipients=[*intake_analysts(), *placing_recipients(order)],
        kind=NotificationKind.RESPONSE_OVERDUE,
        subject=f"{order.order_number}: supplier answer overdue ({order.supplier.legal_name})",
        template="order_overdue",
        context={"order": order, "version": version},
        key_prefix=f"rated_order:{order.pk}:v{version.number}:overdue",
        target=version,
        link=reverse("admin:ratings_ratedorder_change", args=[order.pk]),
    )


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
        link=order_link(order),
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
        link=order_link(order),
    )
