"""The reminder sweep's writes, one SQL statement per step however many orders are due.

Each statement locks the due versions (skipping any another run holds), marks them, and writes
their notices with INSERT ... SELECT: recipients, keys, subjects, links and the recipient's
delivery choice are computed by the database. No body is rendered here: the outbox renders it
at delivery (`services.notifications.rendering`). Keys and subjects are those of a notice
written one at a time, and `ON CONFLICT (key) DO NOTHING` keeps a key written once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from ratings.constants import NOTICE_CATEGORY, NotificationDelivery, NotificationKind, OrganizationKind, Role
from ratings.models import (
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    RatedOrder,
    RatedOrderVersion,
    RatingRequest,
    User,
)
from ratings.services.notifications import links
from ratings.services.notifications.outbox import HELD_AS, absolute_url

VERSION = RatedOrderVersion._meta.db_table
ORDER = RatedOrder._meta.db_table
REQUEST = RatingRequest._meta.db_table
MEMBER = Membership._meta.db_table
ORG = Organization._meta.db_table
USER = User._meta.db_table
NOTICE = Notification._meta.db_table
CHOICE = NotificationPreference._meta.db_table


@dataclass(frozen=True)
class Marked:
    """A version the statement marked, with what its audit event names."""

    version_id: int
    order_id: int
    order_number: str
    rating: str
    supplier_id: int
    number: int
    received_at: dt.datetime | None
    response_due_at: dt.datetime | None


@dataclass(frozen=True)
class Written:
    marked: list[Marked]
    pending: list[int]  # notices to queue for delivery after commit


# Only table names and placeholders are put into the SQL text; every value is bound.
MEMBERS = (
    f"SELECT DISTINCT mb.organization_id, mb.user_id FROM {MEMBER} mb "  # noqa: S608
    f"JOIN {ORG} g ON g.id = mb.organization_id AND g.is_active "
    f"JOIN {USER} u ON u.id = mb.user_id AND u.is_active "
    "WHERE mb.is_active AND mb.role = %s"
)  # active users holding a role in an active organization: (organization_id, user_id)


def _address(tie: str) -> tuple[str, list[Any]]:
    """SQL for the link a recipient tied to the order by `tie` follows (links.notice_link's page)."""
    before, after = links.order_page_around(tie)
    column = "o.id::text" if tie == "staff" else "o.order_number"
    return f"(%s || {column} || %s)", [absolute_url(before), after]


def _status() -> tuple[str, list[Any]]:
    """The first status the recipient's choice for the kind's category gives (outbox.HELD_AS)."""
    chosen = [(delivery, status) for delivery, status in HELD_AS.items() if delivery != NotificationDelivery.IMMEDIATE]
    sql = "CASE p.delivery " + "WHEN %s THEN %s " * len(chosen) + "ELSE %s END"
    return sql, [*itertools.chain.from_iterable(chosen), HELD_AS[NotificationDelivery.IMMEDIATE]]


def _run(
    due: QuerySet[RatedOrderVersion],
    *,
    mark: tuple[str, list[Any]],
    recipients: tuple[str, list[Any]],
    kind: str,
    key: str,
    subject: tuple[str, list[Any]],
    context: dict[str, Any],
    now: dt.datetime,
) -> Written:
    """One statement: lock the `due` versions, mark them (`mark`: SET clause), write a notice per
    row of `recipients` (version_id, user_id, tie; a recipient tied twice gets the link of its
    first tie, as `links.notice_link` would) and return the marked versions and written notices."""
    locked = due.select_for_update(skip_locked=True, of=("self",), no_key=True).order_by("pk").values("pk")
    locked_sql, locked_params = locked.query.sql_with_params()
    ties = [_address(tie) for tie in ("supplier", "placing", "staff")]
    status_sql, status_params = _status()
    sql = f"""
    WITH due(id) AS ({locked_sql}),
    marked AS (
        UPDATE {VERSION} v SET {mark[0]} WHERE v.id = ANY(ARRAY(SELECT id FROM due))
        RETURNING v.id, v.order_id, v.number, v.received_at, v.response_due_at
    ),
    recipients AS ({recipients[0]}),
    written AS (
        INSERT INTO {NOTICE} (key, recipient_id, email, kind, subject, body_text, body_html, context, link,
            object_type, object_id, status, attempts, last_error, next_attempt_at, created_at)
        SELECT DISTINCT ON (r.version_id, r.user_id)
            'rated_order:' || o.id || ':v' || m.number || %s || ':user' || u.id,
            u.id, COALESCE(u.email, ''), %s, LEFT({subject[0]}, 250), '', '', %s::jsonb,
            CASE r.tie WHEN 'supplier' THEN {ties[0][0]} WHEN 'placing' THEN {ties[1][0]} ELSE {ties[2][0]} END,
            %s, m.id::text, {status_sql}, 0, '', %s, %s
        FROM recipients r
        JOIN marked m ON m.id = r.version_id
        JOIN {ORDER} o ON o.id = m.order_id
        JOIN {ORG} s ON s.id = o.supplier_id
        JOIN {USER} u ON u.id = r.user_id AND u.is_active
        LEFT JOIN {CHOICE} p ON p.user_id = u.id AND p.category = %s
        ORDER BY r.version_id, r.user_id, r.tie = 'staff'
        ON CONFLICT (key) DO NOTHING
        RETURNING id, status
    )
    SELECT m.id, o.id, o.order_number, o.rating, o.supplier_id, m.number, m.received_at, m.response_due_at,
        NULL::bigint, NULL::text
    FROM marked m JOIN {ORDER} o ON o.id = m.order_id
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, w.id, w.status FROM written w
    """  # noqa: S608
    params = [
        *locked_params,
        *mark[1],
        *recipients[1],
        key,
        kind,
        *subject[1],
        json.dumps(context),
        *ties[0][1],
        *ties[1][1],
        *ties[2][1],
        RatedOrderVersion._meta.label,
        *status_params,
        now,
        now,
        NOTICE_CATEGORY.get(kind),  # type: ignore[call-overload]
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    marked = sorted((Marked(*row[:8]) for row in rows if row[0] is not None), key=lambda m: m.version_id)
    pending = [row[8] for row in rows if row[8] is not None and row[9] == HELD_AS[NotificationDelivery.IMMEDIATE]]
    return Written(marked=marked, pending=pending)


def remind(due: QuerySet[RatedOrderVersion], *, offset: int, now: dt.datetime) -> Written:
    """The `offset`-day reminder to every contact of each due version's supplier."""
    days = f"{offset} working day{'s' if offset != 1 else ''}"
    return _run(
        due,
        mark=("last_reminder_offset = %s", [offset]),
        recipients=(
            f"SELECT m.id AS version_id, c.user_id, 'supplier' AS tie FROM marked m "  # noqa: S608
            f"JOIN {ORDER} o ON o.id = m.order_id JOIN ({MEMBERS}) c ON c.organization_id = o.supplier_id",
            [Role.SUPPLIER_CONTACT],
        ),
        kind=NotificationKind.RESPONSE_REMINDER,
        key=f":reminder{offset}",
        subject=("o.order_number || %s", [f": answer due in {days}"]),
        context={"offset": offset},
        now=now,
    )


def escalate(due: QuerySet[RatedOrderVersion], *, now: dt.datetime) -> Written:
    """The overdue notice to whoever placed each order (the applicant's contact, applicants and
    authorized signers of a top-tier order, HHS's authorized signers of one HHS placed as the customer, the contacts of
    the supplier that extended a flow-down order) and to HHS intake."""
    placing = f"""
        SELECT m.id AS version_id, rr.applicant_contact_id AS user_id, 'placing' AS tie FROM marked m
        JOIN {ORDER} o ON o.id = m.order_id AND o.parent_id IS NULL JOIN {REQUEST} rr ON rr.id = o.source_request_id
        UNION ALL
        SELECT m.id, a.user_id, 'placing' FROM marked m
        JOIN {ORDER} o ON o.id = m.order_id AND o.parent_id IS NULL JOIN {REQUEST} rr ON rr.id = o.source_request_id
        JOIN ({MEMBERS}) a ON a.organization_id = rr.applicant_organization_id
        UNION ALL
        SELECT m.id, s.user_id, 'placing' FROM marked m
        JOIN {ORDER} o ON o.id = m.order_id AND o.parent_id IS NULL AND o.source_request_id IS NOT NULL
        JOIN ({MEMBERS}) s ON s.organization_id = o.placing_organization_id
        UNION ALL
        SELECT m.id, h.user_id, 'staff' FROM marked m
        JOIN {ORDER} o ON o.id = m.order_id AND o.parent_id IS NULL AND o.source_request_id IS NULL
        JOIN ({MEMBERS}) h ON h.organization_id = o.placing_organization_id
        UNION ALL
        SELECT m.id, c.user_id, 'placing' FROM marked m
        JOIN {ORDER} o ON o.id = m.order_id AND o.parent_id IS NOT NULL
        JOIN ({MEMBERS}) c ON c.organization_id = o.placing_organization_id
        UNION ALL
        SELECT m.id, i.user_id, 'staff' FROM marked m CROSS JOIN (
            {MEMBERS} AND g.kind = %s
        ) i
    """  # noqa: S608
    return _run(
        due,
        mark=("overdue_escalated_at = %s", [now]),
        recipients=(
            placing,
            [
                Role.APPLICANT,
                Role.AUTHORIZED_SIGNER,
                Role.AUTHORIZED_SIGNER,
                Role.SUPPLIER_CONTACT,
                Role.INTAKE_ANALYST,
                OrganizationKind.AGENCY,
            ],
        ),
        kind=NotificationKind.RESPONSE_OVERDUE,
        key=":overdue",
        subject=("o.order_number || %s || s.legal_name || %s", [": supplier answer overdue (", ")"]),
        context={},
        now=now,
    )
