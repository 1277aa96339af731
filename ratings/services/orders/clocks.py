"""The supplier's response clock on each rated-order version (15 CFR 700.13(d); 45 CFR 101.33).

Receipt (decided here; the rule says only "within N working days of receipt"): the moment the
first order notice (issued or amended) of a version is *sent* to any active contact of the
supplier, i.e. handed to the mail server by the outbox. That is the earliest time the supplier
provably had the order; the in-app copy is written at the same moment. Later notices of the
same version (other contacts, resends) never move it.

- Due = `clock.supplier_response_due(received_at, level, emergency hours)`.
- A significant amendment is a new rated order: its version gets its own receipt and due time.
  A non-significant amendment keeps the clock: the new version inherits receipt and due time
  (and the answer, see models.RatedOrder.amend).
- The clock closes when the supplier answers, when a newer version supersedes the version,
  or when the order is cancelled.

This module must not import services.notifications: the outbox calls `order_notice_delivered`.
"""

from __future__ import annotations

import datetime as dt
import logging

from audit import services as audit
from ratings import audit_actions
from ratings.clock import supplier_response_due
from ratings.constants import AmendmentSignificance, DocumentKind, NotificationKind
from ratings.models import Directive, Notification, RatedOrder, RatedOrderVersion

logger = logging.getLogger("ratings.order_clocks")

ORDER_NOTICE_KINDS = frozenset({NotificationKind.ORDER_ISSUED, NotificationKind.ORDER_AMENDED})
VERSION_NOTICE_KINDS = ORDER_NOTICE_KINDS | {NotificationKind.ORDER_CANCELLED}
VERSION_LABEL = RatedOrderVersion._meta.label
DIRECTIVE_LABEL = Directive._meta.label


def response_due_for(order: RatedOrder, received_at: dt.datetime) -> dt.datetime:
    return supplier_response_due(
        received_at=received_at, level=order.level, emergency_hours=order.emergency_response_hours
    )


def inherit_clock(*, previous: RatedOrderVersion, version: RatedOrderVersion) -> None:
    """A non-significant amendment keeps the running clock (and the answer already given)."""
    if version.significance != AmendmentSignificance.NOT_SIGNIFICANT:
        return
    version.received_at = previous.received_at
    version.response_due_at = previous.response_due_at
    version.last_reminder_offset = previous.last_reminder_offset
    version.overdue_escalated_at = previous.overdue_escalated_at
    version.clock_closed_at = previous.clock_closed_at
    version.save(
        update_fields=[
            "received_at",
            "response_due_at",
            "last_reminder_offset",
            "overdue_escalated_at",
            "clock_closed_at",
        ]
    )


def close_clock(version: RatedOrderVersion, at: dt.datetime) -> None:
    if version.clock_closed_at is None:
        RatedOrderVersion.objects.filter(pk=version.pk, clock_closed_at__isnull=True).update(clock_closed_at=at)
        version.clock_closed_at = at


def order_notice_delivered(*, notification: Notification, sent_at: dt.datetime) -> None:
    """Called by the outbox inside the transaction that marks an order notice sent.

    Fills `supplier_notified_at` (any order notice) and, for an issued/amended notice, the
    version's receipt and due time if not set yet (conditional UPDATE: first delivery wins).
    """
    if notification.kind == NotificationKind.DIRECTIVE_ISSUED and notification.object_type == DIRECTIVE_LABEL:
        _directive_delivered(notification, sent_at)
        return
    if notification.kind not in VERSION_NOTICE_KINDS or notification.object_type != VERSION_LABEL:
        return
    version_id = int(notification.object_id)
    RatedOrderVersion.objects.filter(pk=version_id, supplier_notified_at__isnull=True).update(
        supplier_notified_at=sent_at
    )
    if notification.kind not in ORDER_NOTICE_KINDS:
        return
    version = RatedOrderVersion.objects.select_related("order").get(pk=version_id)
    if version.received_at is not None or version.kind != DocumentKind.ORDER:
        return
    due = response_due_for(version.order, sent_at)
    started = RatedOrderVersion.objects.filter(pk=version_id, received_at__isnull=True).update(
        received_at=sent_at, response_due_at=due
    )
    if not started:
        return
    audit.record(
        action=audit_actions.ORDER_RECEIVED,
        actor=None,
        target=version.order,
        reference=version.order.order_number,
        organization_id=version.order.supplier_id,
        data={
            "version": version.number,
            "received_at": sent_at.isoformat(),
            "response_due_at": due.isoformat(),
            "notification_id": notification.pk,
        },
    )
    logger.info("order.received order=%s version=%s", version.order_id, version.number)


def _directive_delivered(notification: Notification, sent_at: dt.datetime) -> None:
    """A directive is delivered like an order: its first notice sent to a supplier contact."""
    directive = Directive.objects.select_related("case").get(pk=int(notification.object_id))
    if not Directive.objects.filter(pk=directive.pk, delivered_at__isnull=True).update(delivered_at=sent_at):
        return
    audit.record(
        action=audit_actions.DIRECTIVE_DELIVERED,
        actor=None,
        target=directive,
        reference=directive.case.reference,
        organization_id=directive.supplier_id,
        data={"directive": directive.number, "delivered_at": sent_at.isoformat(), "notification_id": notification.pk},
    )
