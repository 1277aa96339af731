# ruff: noqa: S608  (SQL built from this module's own constants and ids, never from input)
"""The page benchmark's data: the program benchmark's shape (five manufacturers, twenty suppliers,
three programs, a year of requests, two rated orders per request with their version, item and
answer), written by SQL. One row of each kind is made through the ORM (so every column gets its
model default) and `INSERT … SELECT … FROM generate_series` copies it with the columns that vary
replaced: 100,000 requests and 200,000 orders take seconds, not the minutes `bulk_create` takes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection, models
from django.utils import timezone

from ratings.constants import OrderStatus, RequestState, Role, SupplierNoticeKind, SupplierResponseKind
from ratings.models import (
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    RatingRequest,
    SupplierResponse,
)
from ratings.models.precedence import LEVEL_BAND, NO_REQUIRED_DATE
from tests.factories import OrganizationFactory, ProgramFactory, member

COUNTRIES = ["US", "US", "DE", "MY", "CN", "MX", "IE", "IN"]
# Weighted as the program benchmark draws them.
REQUEST_STATES = [RequestState.ISSUED] * 6 + [RequestState.DENIED, RequestState.WITHDRAWN, RequestState.SUBMITTED]
ORDER_STATUSES = [OrderStatus.ACCEPTED] * 4 + [OrderStatus.ISSUED, OrderStatus.FULFILLED, OrderStatus.REJECTED]


def _array(values: list[Any]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" if isinstance(v, str) else str(int(v)) for v in values) + "]"


def _pick(values: list[Any], index: str) -> str:
    """SQL: values[index mod len] (PostgreSQL arrays count from 1)."""
    return f"({_array(values)})[1 + (({index})::bigint % {len(values)})]"


def _copy(model: type[models.Model], template: models.Model, source: str, replaced: dict[str, str]) -> int:
    """Insert one row per row of `source` (SQL with alias `s`), copying the template's columns
    except those in `replaced` (column -> SQL expression over `s`)."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    unknown = set(replaced) - set(columns)
    assert not unknown, unknown
    unique = {f.column for f in model._meta.concrete_fields if f.unique and not f.primary_key and f.null is False}
    assert unique <= set(replaced), f"{table}: give {unique - set(replaced)} per row"
    select = ", ".join(replaced.get(c, f"t.{c}") for c in columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {select} FROM ({source}) s CROSS JOIN {table} t WHERE t.id = {int(template.pk)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.rowcount)


def build(requests: int) -> None:
    """`requests` rating requests and twice as many rated orders, as bench/program.py shapes them."""
    now = timezone.now()
    hhs = OrganizationFactory(agency=True, legal_name="HHS", short_name="HHS")
    staff = member(hhs, Role.REVIEWER, username="bench")
    staff.user_permissions.add(Permission.objects.get(codename="see_program_view"))
    makers = [OrganizationFactory(legal_name=f"Maker {i}") for i in range(5)]
    contact = member(makers[0], Role.APPLICANT)
    suppliers = [
        OrganizationFactory(supplier=True, legal_name=f"Supplier {i}", manufacturing_country=COUNTRIES[i % 8])
        for i in range(20)
    ]
    responder = member(suppliers[0], Role.SUPPLIER_CONTACT)
    programs = [ProgramFactory(symbol=s, name=s) for s in ("HR", "PV", "DT")]

    # Row 0 of each kind, through the ORM.
    submitted = now - dt.timedelta(days=200)
    request = RatingRequest.objects.create(
        reference="PRR-B-00000000",
        applicant_organization=makers[0],
        applicant_contact=contact,
        government_program="Bench",
        category="vaccine",
        health_resource="Bench",
        program=programs[0],
        state=RequestState.ISSUED,
        submitted_at=submitted,
        decided_at=submitted + dt.timedelta(days=10),
    )
    order = RatedOrder.objects.create(
        order_number="HHS-B-000000000",
        source_request=request,
        placing_organization=makers[0],
        supplier=suppliers[0],
        level="DO",
        program=programs[0],
        rating="DO-HR",
        status=OrderStatus.ACCEPTED,
        issued_at=request.decided_at,
    )
    version = RatedOrderVersion.objects.create(
        order=order,
        number=1,
        items_snapshot=[],
        issued_at=order.issued_at,
        fingerprint="0" * 64,
        supplier_notice_kind=SupplierNoticeKind.ISSUED,
        received_at=order.issued_at,
        response_due_at=order.issued_at + dt.timedelta(days=21),
        earliest_required_date=(order.issued_at + dt.timedelta(days=60)).date(),
    )
    item = RatedOrderItem.objects.create(
        version=version,
        position=1,
        po_number="PO",
        description="Bench item",
        part_number="PART-00",
        quantity=Decimal(10),
        unit="each",
        required_dates=[],
    )
    answer = SupplierResponse.objects.create(
        order=order,
        version=version,
        kind=SupplierResponseKind.ACCEPT,
        responder=responder,
        printed_name="Bench",
        responded_at=order.issued_at + dt.timedelta(days=2),
        meaning="Answer",
        reason_code="",
        content_sha256="0" * 64,
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.17)")
    # Requests 1..N-1: a year of submissions; decided within 30 days when issued or denied.
    decided = f"CASE WHEN s.state IN ('{RequestState.ISSUED}', '{RequestState.DENIED}') AND s.decided < now() THEN s.decided END"
    _copy(
        RatingRequest,
        request,
        f"SELECT g, st AS state, sub, sub + random() * interval '30 days' AS decided FROM ("
        f"  SELECT g, {_pick(REQUEST_STATES, 'g * 7 + floor(random() * 9)')} AS st,"
        f"         now() - interval '1 day' - random() * interval '364 days' AS sub"
        f"  FROM generate_series(1, {requests - 1}) g) x",
        {
            "reference": "'PRR-B-' || lpad(s.g::text, 8, '0')",
            "applicant_organization_id": _pick([m.pk for m in makers], "s.g"),
            "program_id": _pick([p.pk for p in programs], "s.g / 5"),
            "category": _pick(["vaccine", "therapeutic", "diagnostic_test", "other_countermeasure"], "s.g / 3"),
            "state": "s.state",
            "submitted_at": "s.sub",
            "decided_at": decided,
            "created_at": "s.sub - interval '1 day'",
            "updated_at": f"coalesce({decided}, s.sub)",
        },
    )
    # Orders 1..2N-1, round-robin over the issued requests.
    issued = (
        f"SELECT id, applicant_organization_id AS org, program_id, coalesce(decided_at, now()) AS at, "
        f"row_number() OVER (ORDER BY id) - 1 AS k FROM ratings_ratingrequest WHERE state = '{RequestState.ISSUED}'"
    )
    _copy(
        RatedOrder,
        order,
        f"SELECT g, r.*, {_pick(ORDER_STATUSES, 'floor(random() * 7)')} AS status,"
        f" 1 + floor(random() * (4 + g % 16)) AS supplier_index"
        f" FROM generate_series(1, {2 * requests - 1}) g"
        f" JOIN ({issued}) r ON r.k = g % (SELECT count(*) FROM ratings_ratingrequest WHERE state = '{RequestState.ISSUED}')",
        {
            "order_number": "'HHS-B-' || lpad(s.g::text, 9, '0')",
            "source_request_id": "s.id",
            "placing_organization_id": "s.org",
            "supplier_id": f"({_array([x.pk for x in suppliers])})[s.supplier_index]",
            "program_id": "s.program_id",
            "status": "s.status",
            "issued_at": "s.at",
            "created_at": "s.at",
            "updated_at": "s.at",
        },
    )
    _copy(
        RatedOrderVersion,
        version,
        f"SELECT id, issued_at FROM ratings_ratedorder WHERE id <> {order.pk}",
        {
            "order_id": "s.id",
            "issued_at": "s.issued_at",
            "received_at": "s.issued_at",
            "response_due_at": "s.issued_at + interval '21 days'",
            "earliest_required_date": "(s.issued_at + (20 + floor(random() * 180)) * interval '1 day')::date",
        },
    )
    # The order's precedence key from its level and current version, as the write path keeps it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE ratings_ratedorder o SET precedence = (CASE o.level WHEN 'DX' THEN 0 WHEN 'DO' THEN 1 ELSE 2 END)"
            f" * {LEVEL_BAND} + (coalesce(v.earliest_required_date, DATE '{NO_REQUIRED_DATE}') - DATE '1970-01-01')"
            f" FROM ratings_ratedorderversion v WHERE v.order_id = o.id AND v.number = o.current_version"
        )
    _copy(
        RatedOrderItem,
        item,
        f"SELECT id FROM ratings_ratedorderversion WHERE id <> {version.pk}",
        {
            "version_id": "s.id",
            "part_number": "'PART-' || floor(random() * 10) || floor(random() * 5)",
            "quantity": "1 + floor(random() * 500)",
        },
    )
    _copy(
        SupplierResponse,
        answer,
        f"SELECT o.id, o.status, o.issued_at, v.id AS version FROM ratings_ratedorder o"
        f" JOIN ratings_ratedorderversion v ON v.order_id = o.id"
        f" WHERE o.id <> {order.pk} AND o.status <> '{OrderStatus.ISSUED}'",
        {
            "order_id": "s.id",
            "version_id": "s.version",
            "kind": f"CASE WHEN s.status = '{OrderStatus.REJECTED}' THEN '{SupplierResponseKind.REJECT}'"
            f" ELSE '{SupplierResponseKind.ACCEPT}' END",
            "responded_at": "s.issued_at + (0.5 + random() * 19.5) * interval '1 day'",
            "reason_code": f"CASE WHEN s.status = '{OrderStatus.REJECTED}' THEN 'not_supplied' ELSE '' END",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
