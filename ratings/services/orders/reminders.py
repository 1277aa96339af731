"""Reminders before a supplier's answer is due, and escalation when it is overdue.

Run by the Celery beat task `ratings.tasks.send_order_reminders`. Each run selects only the
versions that need something, in set-based queries (never a loop over every order):

- Reminder with offset n (settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS): due on the
  reminder day `clock.subtract_working_days(due day, n)` or later. With w = the last working
  day on or before today (agency time), that is exactly "due day < w + (n + 1) working days",
  a single range condition on `response_due_at`. Offsets are taken smallest first and
  `last_reminder_offset` records the smallest sent, so a clock that starts inside the 1-day
  window gets only the 1-day reminder, and no reminder is ever sent twice (the notice keys
  include the offset as a second guard).
- Overdue: due time passed, no answer, not yet escalated -> HHS intake and the placing
  organization are told once (`overdue_escalated_at`), and the escalation is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit import services as audit
from ratings import audit_actions
from ratings.clock import reminder_window_end
from ratings.constants import DocumentKind
from ratings.models import RatedOrder, RatedOrderVersion
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.services.notifications.outbox import enqueue
from ratings.services.orders import reminder_writes


@dataclass
class ReminderRun:
    reminders: dict[int, list[int]] = field(default_factory=dict)  # offset -> version ids
    escalated: list[int] = field(default_factory=list)


def open_clocks() -> QuerySet[RatedOrderVersion]:
    """Current order versions received by the supplier and still owing an answer."""
    return RatedOrderVersion.objects.filter(
        superseded=False,
        kind=DocumentKind.ORDER,
        received_at__isnull=False,
        response_due_at__isnull=False,
        clock_closed_at__isnull=True,
        order__status__in=AWAITING_RESPONSE_STATUSES,
    )


def _queue(pending: list[int]) -> None:
    if pending:
        transaction.on_commit(lambda: [enqueue(pk) for pk in pending])


def order_reminders_send(*, now: dt.datetime | None = None) -> ReminderRun:
    """One transaction, one statement per offset and one for the overdue however many orders are
    due (each locks its versions, skipping any another run holds, marks them and writes their
    notices), then the escalations appended to the audit trail in one batch, last."""
    now = now or timezone.now()
    run = ReminderRun()
    with transaction.atomic():
        for offset in sorted({int(n) for n in settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS}):
            due = (
                open_clocks()
                .filter(response_due_at__gt=now, response_due_at__lt=reminder_window_end(now, offset))
                .filter(Q(last_reminder_offset__isnull=True) | Q(last_reminder_offset__gt=offset))
            )
            written = reminder_writes.remind(due, offset=offset, now=now)
            if written.marked:
                run.reminders[offset] = [m.version_id for m in written.marked]
                _queue(written.pending)
        due = open_clocks().filter(response_due_at__lte=now, overdue_escalated_at__isnull=True)
        written = reminder_writes.escalate(due, now=now)
        _queue(written.pending)
        run.escalated = [m.version_id for m in written.marked]
        audit.record_many(
            [
                {
                    "action": audit_actions.ORDER_OVERDUE,
                    "object_type": RatedOrder._meta.label,
                    "object_id": m.order_id,
                    "object_label": f"{m.order_number} ({m.rating})",
                    "reference": m.order_number,
                    "organization_id": m.supplier_id,
                    "data": {
                        "version": m.number,
                        "received_at": m.received_at.isoformat() if m.received_at else None,
                        "response_due_at": m.response_due_at.isoformat() if m.response_due_at else None,
                    },
                }
                for m in written.marked
            ]
        )
    return run
