"""Hand-built requests, rated orders and answers for the program view's figures (and the bench).

Rows are written straight to the database with the times the test chooses, so the expected
figures can be computed by hand; the workflow's own tests cover how they come about."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from ratings.constants import (
    HealthResourceCategory,
    OrderStatus,
    RequestState,
    SupplierNoticeKind,
    SupplierResponseKind,
)
from ratings.models import (
    Organization,
    Program,
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    RatingRequest,
    SupplierResponse,
    User,
)
from ratings.models.precedence import precedence_key

_numbers = itertools.count(1)
UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def request(
    *,
    applicant: Organization,
    contact: User,
    program: Program,
    state: str = RequestState.SUBMITTED,
    category: str = HealthResourceCategory.VACCINE,
    level: str = "DO",
    submitted_at: dt.datetime | None = None,
    decided_at: dt.datetime | None = None,
    withdrawn_at: dt.datetime | None = None,
    save: bool = True,
) -> RatingRequest:
    n = next(_numbers)
    rr = RatingRequest(
        reference=f"PRR-T-{n:07d}",
        applicant_organization=applicant,
        applicant_contact=contact,
        government_program="Test program",
        category=category,
        health_resource="Test resource",
        requested_level=level,
        program=program,
        state=state,
        submitted_at=submitted_at,
        decided_at=decided_at,
    )
    if save:
        rr.save()
        if withdrawn_at is not None:
            RatingRequest.objects.filter(pk=rr.pk).update(updated_at=withdrawn_at)
    return rr


ISSUED_AT = at(2026, 1, 5)


@dataclass
class Line:
    description: str
    quantity: str
    unit: str = "each"
    part_number: str = ""
    due: dt.date = dt.date(2099, 1, 1)


def order(
    *,
    source: RatingRequest,
    supplier: Organization,
    lines: list[Line],
    status: str = OrderStatus.ACCEPTED,
    placing: Organization | None = None,
    parent: RatedOrder | None = None,
    issued_at: dt.datetime = ISSUED_AT,
    received_at: dt.datetime | None = None,
    response_due_at: dt.datetime | None = None,
) -> RatedOrder:
    n = next(_numbers)
    created = RatedOrder.objects.create(
        order_number=f"HHS-T-{n:08d}",
        source_request=source,
        placing_organization=placing or source.applicant_organization,
        supplier=supplier,
        level=source.requested_level,
        program=source.program,
        rating=f"{source.requested_level}-{source.program.symbol}",
        status=status,
        parent=parent,
        issued_at=issued_at,
        precedence=precedence_key(source.requested_level, min(line.due for line in lines)),
    )
    version = RatedOrderVersion.objects.create(
        order=created,
        number=1,
        items_snapshot=[],
        issued_at=issued_at,
        fingerprint="0" * 64,
        supplier_notice_kind=SupplierNoticeKind.ISSUED,
        received_at=received_at,
        response_due_at=response_due_at,
        earliest_required_date=min(line.due for line in lines),
    )
    RatedOrderItem.objects.bulk_create(
        RatedOrderItem(
            version=version,
            position=i,
            po_number=f"PO-{n}",
            description=line.description,
            part_number=line.part_number,
            quantity=Decimal(line.quantity),
            unit=line.unit,
            required_dates=[{"date": line.due.isoformat(), "quantity": None}],
        )
        for i, line in enumerate(lines, start=1)
    )
    return created


def answer(order_: RatedOrder, *, kind: str, at_: dt.datetime, responder: User, late: bool = False) -> SupplierResponse:
    return SupplierResponse.objects.create(
        order=order_,
        version=order_.versions.get(number=1),
        kind=kind,
        responder=responder,
        printed_name=responder.printed_name,
        responded_at=at_,
        meaning="Answer",
        reason_code="not_supplied" if kind == SupplierResponseKind.REJECT else "",
        late=late,
        new_date=dt.date(2099, 1, 1) if kind == SupplierResponseKind.DELAY else None,
        content_sha256="0" * 64,
    )
