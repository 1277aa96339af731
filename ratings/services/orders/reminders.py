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
from ratings.models import RatedOrderVersion
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.services.orders import notices as order_notices


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


def order_reminders_send(*, now: dt.datetime | None = None) -> ReminderRun:
    now = now or timezone.now()
    run = ReminderRun()
    with transaction.atomic():
        for offset in sorted({int(n) for n in settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS}):
            due = list(
                open_clocks()
                .select_for_update(skip_locked=True, of=("self",), no_key=True)
                .filter(response_due_at__gt=now, response_due_at__lt=reminder_window_end(now, offset))
                .filter(Q(last_reminder_offset__isnull=True) | Q(last_reminder_offset__gt=offset))
                .select_related("order", "order__supplier", "order__placing_organization")
                .order_by("pk")
            )
            for version in due:
                order_notices.notify_reminder(version=version, offset=offset)
            RatedOrderVersion.objects.filter(pk__in=[v.pk for v in due]).update(last_reminder_offset=offset)
            if due:
                run.reminders[offset] = [v.pk for v in due]
        overdue = list(
            open_clocks()
            .select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(response_due_at__lte=now, overdue_escalated_at__isnull=True)
            .select_related("order", "order__supplier", "order__placing_organization", "order__source_request")
            .order_by("pk")
        )
        for version in overdue:
            order_notices.notify_overdue(version=version)
            audit.record(
                action=audit_actions.ORDER_OVERDUE,
                actor=None,
                target=version.order,
                reference=version.order.order_number,
                organization_id=version.order.supplier_id,
                data={
                    "version": version.number,
                    "received_at": version.received_at.isoformat() if version.received_at else None,
                    "response_due_at": version.response_due_at.isoformat() if version.response_due_at else None,
                },
            )
        RatedOrderVersion.objects.filter(pk__in=[v.pk for v in overdue]).update(overdue_escalated_at=now)
        run.escalated = [v.pk for v in overdue]
    return run
