"""Rated-order versions: what placing (services.orders.placing), amending and extending an order share.

Each version is signed and fingerprinted in the same transaction; its document is rendered and
PAdES-signed after commit by the Celery task `generate_order_document` (services.orders.documents),
and the supplier's contacts are told through the outbox (services.orders.notices).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from ratings.constants import (
    SIGNATURE_MEANING_PLACEMENT,
    AmendmentSignificance,
    DocumentKind,
    SupplierNoticeKind,
)
from ratings.models import (
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    RatingRequest,
    Signature,
    User,
)
from ratings.models.precedence import precedence_key
from ratings.services.items import CleanItem
from ratings.services.orders import documents as order_documents
from ratings.services.orders import notices as order_notices

logger = logging.getLogger(__name__)


def order_number_format(year: int, value: int) -> str:
    return f"HHS-DPA-{year}-{value:06d}"


# --- the preview of an order before approval ---------------------------------------------------


def _items_from_request(rating_request: RatingRequest, supplier_id: int) -> list[dict[str, Any]]:
    lines = rating_request.line_items.filter(supplier_id=supplier_id).prefetch_related("deliveries")
    return [
        CleanItem.from_row(
            line, number=position, deliveries=[(d.required_date, d.quantity) for d in line.deliveries.all()]
        ).snapshot(position)
        for position, line in enumerate(lines, start=1)
    ]


def rated_order_version_create(
    *,
    order: RatedOrder,
    number: int,
    kind: str,
    items: list[dict[str, Any]],
    signer: User,
    delegation: str,
    at: dt.datetime,
    meaning: str,
    notice: str,
    reason: str = "",
    significance: str = AmendmentSignificance.ORIGINAL,
    basis: str = "",
    changes: list[dict[str, Any]] | None = None,
) -> RatedOrderVersion:
    version = RatedOrderVersion.objects.create(
        order=order,
        number=number,
        kind=kind,
        items_snapshot=items,
        issued_at=at,
        amendment_reason=reason,
        significance=significance,
        significance_basis=basis,
        changes=changes or [],
        fingerprint="-",
        supplier_notice_kind=notice,
        earliest_required_date=_earliest_date(items),
    )
    # The order's precedence follows its current version (and its level, changed only with a version).
    precedence = precedence_key(order.level, version.earliest_required_date)
    if precedence != order.precedence:
        order.precedence = precedence
        RatedOrder.objects.filter(pk=order.pk).update(precedence=precedence)
    RatedOrderItem.objects.bulk_create(
        [
            RatedOrderItem(
                version=version,
                position=item["position"],
                po_number=item["po_number"],
                description=item["description"],
                part_number=item["part_number"],
                quantity=Decimal(item["quantity"]),
                unit=item["unit"],
                ship_to=item["ship_to"],
                required_dates=item["required_dates"],
            )
            for item in items
        ]
    )
    signature = Signature.objects.create(
        version=version,
        kind=kind,
        signer=signer,
        printed_name=signer.printed_name,
        title=signer.title,
        signed_at=at,
        meaning=meaning,
        delegation=delegation,
        # The determination in force when signed: later edits of the program never change a signed document.
        program_determination=order.program.determination_text(),
        content_fingerprint="-",
    )
    fingerprint = order_documents.order_content(version, signature).fingerprint
    version.fingerprint = fingerprint
    version.save(update_fields=["fingerprint"])
    signature.content_fingerprint = fingerprint
    signature.save(update_fields=["content_fingerprint"])
    order_documents.queue_generation(version)
    # The supplier's contacts are told in this same transaction (outbox).
    order_notices.notify_order_version(order=order, version=version)
    return version


def _earliest_date(items: list[dict[str, Any]]) -> dt.date | None:
    dates = [d["date"] for item in items for d in item["required_dates"]]
    return dt.date.fromisoformat(min(dates)) if dates else None


def order_supplier_ids(rating_request: RatingRequest) -> list[int]:
    """The suppliers approval authorizes an order to, one each, in the order of the request's items."""
    supplier_ids: list[int] = []
    for line in rating_request.line_items.order_by("position"):
        if line.supplier_id not in supplier_ids:
            supplier_ids.append(line.supplier_id)
    return supplier_ids


def _new_order(rating_request: RatingRequest, supplier_id: int, number: str, at: dt.datetime) -> RatedOrder:
    return RatedOrder(
        order_number=number,
        source_request=rating_request,
        placing_organization=rating_request.applicant_organization,
        supplier_id=supplier_id,
        level=rating_request.requested_level,
        program=rating_request.program,
        rating=rating_request.rating,
        emergency_response_hours=rating_request.emergency_response_hours,
        issued_at=at,
    )


def rated_order_unsigned_draft(
    rating_request: RatingRequest, supplier_id: int, signer: User, delegation: str, at: dt.datetime
) -> tuple[RatedOrderVersion, Signature]:
    """The order the applicant's authorized signer could place with one supplier once approved,
    pre-filled as the placing form is, never saved: what a decision page previews."""
    order = _new_order(rating_request, supplier_id, "(number given on approval)", at)
    version = RatedOrderVersion(
        order=order,
        number=1,
        kind=DocumentKind.ORDER,
        items_snapshot=_items_from_request(rating_request, supplier_id),
        issued_at=at,
        supplier_notice_kind=SupplierNoticeKind.ISSUED,
    )
    signature = Signature(
        version=version,
        kind=DocumentKind.ORDER,
        signer=signer,
        printed_name=signer.printed_name,
        title=signer.title,
        signed_at=at,
        meaning=SIGNATURE_MEANING_PLACEMENT,
        delegation=delegation,
        program_determination=rating_request.program.determination_text(),
    )
    return version, signature
