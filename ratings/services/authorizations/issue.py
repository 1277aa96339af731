"""The rating authorization, created and signed inside the approval (same transaction).

HHS's approval authorizes the applicant to place rated orders (45 CFR 101.32(a)(3) puts the
signature on the order with the placing party): the suppliers, items, quantities and delivery
windows of the request, at the approved rating, for a validity period, under stated conditions
and legal basis. The approving official signs it (the approval re-checked their credentials,
21 CFR 11.200); its document is rendered and PAdES-sealed after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from audit import services as audit
from audit.actions import AuditAction
from ratings import audit_actions
from ratings.clock import local_day
from ratings.constants import SIGNATURE_MEANING_AUTHORIZATION
from ratings.constants_authorization import AUTHORIZATION_CONDITIONS
from ratings.models import ApprovalDecision, Program, RatingAuthorization, RatingRequest, User
from ratings.services.authorizations import documents, notices
from ratings.services.items import format_quantity
from ratings.services.references import reference_allocate


def authorization_number_format(year: int, value: int) -> str:
    return f"RA-{year}-{value:05d}"


def authorized_items(rating_request: RatingRequest, decision: ApprovalDecision | None = None) -> list[dict[str, Any]]:
    """One entry per item approved: its supplier, what and how much (as approved), and the
    delivery window (the earliest to the latest date requested for it) within which orders may
    require delivery. An item the decision excludes is absent; its number is not reused."""
    entries = []
    lines = rating_request.line_items.select_related("supplier").prefetch_related("deliveries").order_by("position")
    for position, line in enumerate(lines, start=1):
        decided = decision.item(position) if decision else None
        if decided is not None and decided["approved_quantity"] is None:
            continue
        approved = {d["date"]: d["approved"] for d in decided["deliveries"]} if decided else {}
        dates = [d.required_date for d in line.deliveries.all()]
        entries.append(
            {
                "position": position,
                "supplier_id": line.supplier_id,
                "supplier": line.supplier.legal_name,
                "supplier_address": line.supplier.address_text,
                "description": line.description,
                "part_number": line.part_number,
                "po_number": line.po_number,
                "quantity": decided["approved_quantity"] if decided else format_quantity(line.quantity),
                "unit": line.unit,
                "ship_to": line.ship_to,
                "window_start": min(dates).isoformat(),
                "window_end": max(dates).isoformat(),
                "required_dates": [
                    {
                        "date": d.required_date.isoformat(),
                        "quantity": approved.get(d.required_date.isoformat())
                        if decided
                        else (None if d.quantity is None else format_quantity(d.quantity)),
                    }
                    for d in line.deliveries.all()
                ],
            }
        )
    return entries


def legal_basis(rating_request: RatingRequest, delegation: str) -> str:
    """The statute, order and rule, the approving official's delegation and the program
    determination record (services.accounts.signing_basis refused the approval if either is missing)."""
    return (
        "Defense Production Act of 1950, Title I, section 101; Executive Order 13603, section 201; "
        f"45 CFR part 101. Approving authority: {delegation}. {rating_request.program.determination_text()}"
    )


def authorization_sign(
    *,
    action: AuditAction,
    actor: User,
    delegation: str,
    at: dt.datetime,
    level: str,
    program: Program,
    items: list[dict[str, Any]],
    legal_basis: str,
    basis: dict[str, Any],
    emergency_response_hours: int | None = None,
    audit_data: dict[str, Any],
) -> RatingAuthorization:
    """Inside the signing transaction: number, sign (fingerprint of the printed content), store,
    queue the sealed document and audit, for an authorization on an approved request or on
    HHS's own contract (`basis`: `rating_request` or `hhs_contract`)."""
    authorization = RatingAuthorization(
        number=authorization_number_format(at.year, reference_allocate(kind="AUTHORIZATION", year=at.year)),
        **basis,
        level=level,
        program=program,
        rating=f"{level}-{program.symbol}",
        emergency_response_hours=emergency_response_hours,
        items_snapshot=items,
        valid_from=local_day(at),
        valid_until=max(dt.date.fromisoformat(item["window_end"]) for item in items),
        conditions=AUTHORIZATION_CONDITIONS,
        legal_basis=legal_basis,
        signer=actor,
        printed_name=actor.printed_name,
        title=actor.title,
        signed_at=at,
        meaning=SIGNATURE_MEANING_AUTHORIZATION,
        delegation=delegation,
        fingerprint="-",
    )
    authorization.fingerprint = documents.authorization_content(authorization).fingerprint
    authorization.save()
    documents.queue_generation(authorization)
    audit.record(
        action=action,
        actor=actor,
        target=authorization,
        reference=authorization.number,
        organization_id=authorization.authorized_party_id,
        to_state=authorization.status,
        data={
            **audit_data,
            "rating": authorization.rating,
            "suppliers": authorization.supplier_ids(),
            "items": len(items),
            "valid_until": authorization.valid_until.isoformat(),
            "fingerprint": authorization.fingerprint,
            "signature": {"meaning": SIGNATURE_MEANING_AUTHORIZATION, "delegation": delegation},
        },
    )
    return authorization


def rating_authorization_issue(
    *,
    rating_request: RatingRequest,
    actor: User,
    delegation: str,
    at: dt.datetime,
    decision: ApprovalDecision | None = None,
) -> RatingAuthorization:
    """Inside the approval transaction: the one authorization of the request, signed by the
    approving official, at the level and for the items and quantities approved; the request
    moves approved -> issued (authorized)."""
    level = decision.approved_level if decision else rating_request.requested_level
    authorization = authorization_sign(
        action=audit_actions.AUTHORIZATION_ISSUE,
        actor=actor,
        delegation=delegation,
        at=at,
        level=level,
        program=rating_request.program,
        items=authorized_items(rating_request, decision),
        legal_basis=legal_basis(rating_request, delegation),
        basis={"rating_request": rating_request, "authorized_party_id": rating_request.applicant_organization_id},
        emergency_response_hours=rating_request.emergency_response_hours if rating_request.is_emergency else None,
        audit_data={"request": rating_request.reference},
    )
    rating_request.issue()
    # The party's signers place the orders: this is when they learn there are orders to place.
    notices.notify_authorization_issued(authorization)
    return authorization
