"""The reminder and escalation sweep over 10,000 and 100,000 open orders (run by `make bench`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/reminders.py

One order is issued through the services and copied N times; the answers fall due evenly over
the next 60 days, and a twelfth are already overdue, so a run reminds or escalates about one
order in six. Project: `order_reminders_send` (its after-commit queueing of deliveries counted,
not sent: workers send; the notices' bodies are rendered at delivery, so not here), and the
statements it ran. Floor, same data and run: the same writes in two plain SQL statements
(INSERT ... SELECT of the notices, UPDATE of the versions). Between runs the versions and
notices are reset. Goal: 100,000 orders in 5 s.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import sys
import tempfile
from pathlib import Path

from common import exit_status, figure, interleaved, throwaway_database, timed
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings.constants import NotificationKind, RequestState
from ratings.documents import signing
from ratings.models import Notification, RatedOrder, RatedOrderVersion
from ratings.services.orders import reminders
from tests.factories import make_cast, request_in_state

KINDS = [NotificationKind.RESPONSE_REMINDER, NotificationKind.RESPONSE_OVERDUE]
GOAL_SECONDS = {100_000: 5.0}


def issue_one() -> RatedOrder:
    return request_in_state(make_cast(), RequestState.ISSUED).rated_orders.get()


def build(template: RatedOrder, have: int, count: int) -> None:
    """Open orders `have` to `count`, copied from one issued through the services."""
    version = template.versions.get()
    now = timezone.now()
    for start in range(have, count, 5000):
        orders = []
        for i in range(start, min(count, start + 5000)):
            clone = copy.copy(template)
            clone.pk, clone.order_number = None, f"BENCH-{i:07d}"
            orders.append(clone)
        RatedOrder.objects.bulk_create(orders)
        versions = []
        for i, order in enumerate(orders, start=start):
            row = copy.copy(version)
            row.pk, row.order = None, order
            row.received_at = now - dt.timedelta(hours=1)
            # a twelfth overdue, the rest due evenly over the next 60 days
            row.response_due_at = now + dt.timedelta(minutes=(i * 7919) % 86_400 - 7_200)
            row.fingerprint = f"{i:064x}"
            versions.append(row)
        RatedOrderVersion.objects.bulk_create(versions)


def reset() -> None:
    Notification.objects.filter(kind__in=KINDS).delete()
    RatedOrderVersion.objects.filter(order__order_number__startswith="BENCH-").update(
        last_reminder_offset=None, overdue_escalated_at=None
    )


STATEMENTS: list[int] = []  # per project run: must not grow with the orders


def project() -> float:
    reset()
    with CaptureQueriesContext(connection) as statements:
        seconds = timed(reminders.order_reminders_send)
    STATEMENTS.append(len(statements.captured_queries))
    return seconds


FLOOR_NOTICES = """
INSERT INTO ratings_notification (key, recipient_id, email, kind, subject, body_text, body_html, context, link,
    object_type, object_id, status, attempts, last_error, next_attempt_at, created_at)
SELECT 'floor:' || v.id || ':' || m.user_id, m.user_id, u.email, %s, o.order_number || ': answer due',
       'Your answer to ' || o.order_number || ' is due.', '<p>Your answer to ' || o.order_number || ' is due.</p>',
       '{}', '', 'ratings.RatedOrderVersion', v.id::text, 'pending', 0, '', now(), now()
FROM ratings_ratedorderversion v
JOIN ratings_ratedorder o ON o.id = v.order_id
JOIN ratings_membership m ON m.organization_id = o.supplier_id AND m.role = 'supplier_contact' AND m.is_active
JOIN ratings_user u ON u.id = m.user_id
WHERE v.superseded = false AND v.received_at IS NOT NULL AND v.clock_closed_at IS NULL
  AND v.last_reminder_offset IS NULL AND v.overdue_escalated_at IS NULL
  AND v.response_due_at < now() + interval '7 days'
"""
FLOOR_MARK = """
UPDATE ratings_ratedorderversion SET last_reminder_offset = 5
WHERE superseded = false AND received_at IS NOT NULL AND clock_closed_at IS NULL
  AND last_reminder_offset IS NULL AND response_due_at < now() + interval '7 days'
"""


def floor() -> float:
    reset()

    def run() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(FLOOR_NOTICES, [NotificationKind.RESPONSE_REMINDER])
            cursor.execute(FLOOR_MARK)

    return timed(run)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    settings.DOCUMENT_SIGNING_CERT, settings.DOCUMENT_SIGNING_KEY = folder / "cert.pem", folder / "key.pem"
    signing.ensure_dev_certificate(folder / "cert.pem", folder / "key.pem")
    queued: list[int] = []
    reminders.enqueue = queued.append  # type: ignore[assignment]  # deliveries are counted, not sent
    lines = []
    with throwaway_database() as name:
        template, have = issue_one(), 0
        for size in sorted(int(s) for s in args.sizes.split(",")):
            build(template, have, size)
            have = size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            results = interleaved({"floor": floor, "project": project}, args.runs)  # project last: counted below
            due = RatedOrderVersion.objects.filter(last_reminder_offset__isnull=False).count()
            escalated = RatedOrderVersion.objects.filter(overdue_escalated_at__isnull=False).count()
            goal = GOAL_SECONDS.get(size)
            lines.append((size, results, due, escalated, goal, sorted(set(STATEMENTS))))
            STATEMENTS.clear()
    print(f"reminder sweep (database {name}, dropped; {args.runs} interleaved runs)")
    for size, results, due, escalated, goal, statements in lines:
        met = goal is None or sorted(results["project"])[len(results["project"]) // 2] <= goal
        figure(
            f"{size:,} open orders ({due:,} reminded, {escalated:,} escalated)",
            results["project"],
            results["floor"],
            unit=" s",
            digits=2,
            goal=f"<= {goal:.0f} s" if goal else "-",
            met=met,
        )
        print(f"  {'':<34} statements per project run: {', '.join(map(str, statements))}")
    return exit_status()


if __name__ == "__main__":
    sys.exit(main())
