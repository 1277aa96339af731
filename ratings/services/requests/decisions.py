"""The approving official's decision on level and items, checked inside the approval.

An approval may grant a lower level than requested (a DX request at DO; 45 CFR 101.31 levels)
and may authorize some items only, or smaller quantities (45 CFR 101.32(a) elements): each
difference carries a reason the applicant sees. The request is decided by an official with
authority for the level requested (ratings.permissions), who also holds it for any level
approved; the check here keeps that true for the level signed. A higher level than requested is refused here: raising an authorization's
level is a change to the authorization, not an approval. Input problems raise ValidationFailed
(nothing stored); a missing authority raises transition.Refused (audited by the path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dpa_portal.errors import ValidationFailed
from ratings import permissions
from ratings.constants import LEVEL_RANK, RatingLevel
from ratings.models import ApprovalDecision, ItemOutcome, RatingRequest, User
from ratings.services import items, transition

REASON_MAX_LENGTH = items.CASE_TEXT_MAX_LENGTH


@dataclass(frozen=True)
class ItemDecisionInput:
    """One requested item (its number on the request, from 1) as the official decides it.

    `quantity` None: the quantity requested. `splits`: for an item with split deliveries, the
    quantity approved per required date (ISO date -> quantity); dates left out keep their
    requested split only when the item is not reduced."""

    number: int
    include: bool = True
    quantity: Any = None
    splits: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class DecisionInput:
    level: str = ""  # "": the level requested
    level_reason: str = ""
    items: Sequence[ItemDecisionInput] = ()


def authority_refusal(actor: User, level: str) -> str | None:
    """Who may sign a `level` rating: an approving official with authority for that level."""
    held = permissions.approval_level(actor)
    if held is None or LEVEL_RANK[held] < LEVEL_RANK[level]:
        return (
            f"A {level} rating needs an approving official with {level} authority; yours is {held or 'none'}. "
            "DX ratings are approved only at Secretary level."
        )
    return None


def _reason(text: str, *, field: str, message: str) -> str:
    reason = items.clean_text(text, field=field, label="The reason", max_length=REASON_MAX_LENGTH, required=False)
    if not reason:
        raise ValidationFailed(message, field=field)
    return reason


def approved_level(rating_request: RatingRequest, actor: User, decision: DecisionInput) -> tuple[str, str]:
    """The level approved and its reason; refuses a higher level, a lower one without a reason,
    a level the program does not allow, and an official without authority for it."""
    requested = rating_request.requested_level
    level = (decision.level or requested).strip().upper()
    if level not in RatingLevel.values:
        raise ValidationFailed("Choose the level approved: DO or DX.", field="approved_level")
    if LEVEL_RANK[level] > LEVEL_RANK[requested]:
        raise ValidationFailed(
            f"The request asks for {requested}; it cannot be approved at {level}. Raising the level of a rating "
            "is a change to the authorization once issued.",
            field="approved_level",
        )
    reason = ""
    if level != requested:
        reason = _reason(
            decision.level_reason,
            field="level_reason",
            message=f"Say why {level} is approved instead of the {requested} requested; the applicant sees it.",
        )
        if not rating_request.program.allows(level):
            raise ValidationFailed(
                f"Program {rating_request.program.symbol} does not allow {level} ratings.", field="approved_level"
            )
    refusal = authority_refusal(actor, level)
    if refusal:
        raise transition.Refused(refusal)
    return level, reason


def _decided_item(line: Any, number: int, choice: ItemDecisionInput | None) -> dict[str, Any]:
    where = f"items[{number}]"
    requested = Decimal(line.quantity)
    deliveries = list(line.deliveries.all())
    is_split = bool(deliveries) and all(d.quantity is not None for d in deliveries)
    entry: dict[str, Any] = {
        "number": number,
        "line_item_id": line.pk,
        "description": line.description,
        "unit": line.unit,
        "requested_quantity": items.format_quantity(requested),
        "approved_quantity": items.format_quantity(requested),
        "outcome": ItemOutcome.APPROVED.value,
        "reason": "",
        "deliveries": [
            {
                "date": d.required_date.isoformat(),
                "requested": None if d.quantity is None else items.format_quantity(d.quantity),
                "approved": None if d.quantity is None else items.format_quantity(d.quantity),
            }
            for d in deliveries
        ],
    }
    if choice is None:
        return entry
    if not choice.include:
        entry.update(
            outcome=ItemOutcome.EXCLUDED.value,
            approved_quantity=None,
            reason=_reason(
                choice.reason,
                field=f"{where}.reason",
                message=f"Item {number}: say why it is not authorized; the applicant sees it.",
            ),
        )
        for delivery in entry["deliveries"]:
            delivery["approved"] = None
        return entry
    label = f"Item {number}: the quantity approved"
    given = (
        None
        if items.is_blank(choice.quantity)
        else items.parse_quantity(choice.quantity, field=f"{where}.quantity", label=label)
    )
    if given is not None and given > requested:
        raise ValidationFailed(
            f"Item {number}: {items.format_quantity(given)} {line.unit} is more than the "
            f"{items.format_quantity(requested)} {line.unit} requested; approve at most what was requested.",
            field=f"{where}.quantity",
        )
    if is_split:
        # The splits decide; a quantity typed beside them must be their sum.
        quantity = _decide_splits(entry, number, given, choice.splits)
    elif choice.splits:
        raise ValidationFailed(f"Item {number} has no split deliveries to reduce.", field=f"{where}.splits")
    else:
        quantity = requested if given is None else given
    if quantity < requested:
        entry.update(
            outcome=ItemOutcome.REDUCED.value,
            approved_quantity=items.format_quantity(quantity),
            reason=_reason(
                choice.reason,
                field=f"{where}.reason",
                message=f"Item {number}: say why the quantity is reduced; the applicant sees it.",
            ),
        )
    return entry


def _decide_splits(entry: dict[str, Any], number: int, quantity: Decimal | None, splits: Mapping[str, Any]) -> Decimal:
    """Each required date keeps its place; its split is at most what was requested for it, more
    than zero, and the splits add up to the quantity approved."""
    where = f"items[{number}].splits"
    dates = {d["date"] for d in entry["deliveries"]}
    unknown = sorted(set(splits) - dates)
    if unknown:
        raise ValidationFailed(f"Item {number}: {unknown[0]} is not one of its required dates.", field=where)
    if quantity is not None and not any(not items.is_blank(value) for value in splits.values()):
        if quantity == Decimal(entry["requested_quantity"]):
            return quantity
        raise ValidationFailed(
            f"Item {number} is delivered on {len(dates)} dates: give the quantity approved for each date.",
            field=where,
        )
    total = Decimal(0)
    for delivery in entry["deliveries"]:
        given = splits.get(delivery["date"])
        requested = Decimal(delivery["requested"])
        split = (
            requested
            if items.is_blank(given)
            else items.parse_quantity(
                given, field=where, label=f"Item {number}: the quantity approved for {delivery['date']}"
            )
        )
        if split > requested:
            raise ValidationFailed(
                f"Item {number}: {items.format_quantity(split)} for {delivery['date']} is more than the "
                f"{delivery['requested']} requested for that date.",
                field=where,
            )
        delivery["approved"] = items.format_quantity(split)
        total += split
    if quantity is not None and total != quantity:
        raise ValidationFailed(
            f"Item {number}: the quantities approved for each date add up to {items.format_quantity(total)}, not "
            f"the {items.format_quantity(quantity)} approved; give the quantity for each date.",
            field=where,
        )
    return total


def decided_items(rating_request: RatingRequest, choices: Sequence[ItemDecisionInput]) -> list[dict[str, Any]]:
    """Every requested item with its outcome; at least one must be approved."""
    lines = list(rating_request.line_items.prefetch_related("deliveries").order_by("position"))
    by_number: dict[int, ItemDecisionInput] = {}
    for choice in choices:
        if not 1 <= choice.number <= len(lines):
            raise ValidationFailed(f"The request has no item {choice.number}.", field="items")
        if choice.number in by_number:
            raise ValidationFailed(f"Item {choice.number} is decided twice.", field="items")
        by_number[choice.number] = choice
    entries = [_decided_item(line, number, by_number.get(number)) for number, line in enumerate(lines, start=1)]
    if all(entry["outcome"] == ItemOutcome.EXCLUDED for entry in entries):
        raise ValidationFailed("Approve at least one item; to authorize none, deny the request instead.", field="items")
    return entries


def approval_decision_record(rating_request: RatingRequest, actor: User, decision: DecisionInput) -> ApprovalDecision:
    """Inside the approval, before anything is signed: check the decision and store it."""
    level, level_reason = approved_level(rating_request, actor, decision)
    entries = decided_items(rating_request, decision.items)
    return ApprovalDecision.objects.create(
        rating_request=rating_request,
        requested_level=rating_request.requested_level,
        approved_level=level,
        level_reason=level_reason,
        items=entries,
    )


def audit_detail(decision: ApprovalDecision) -> dict[str, Any]:
    """What the approval's audit event records of the decision."""
    return {
        "level_requested": decision.requested_level,
        "level_approved": decision.approved_level,
        "level_reason": decision.level_reason,
        "items_excluded": [
            {"number": item["number"], "description": item["description"], "reason": item["reason"]}
            for item in decision.items
            if item["outcome"] == ItemOutcome.EXCLUDED
        ],
        "items_reduced": [
            {
                "number": item["number"],
                "description": item["description"],
                "requested": item["requested_quantity"],
                "approved": item["approved_quantity"],
                "unit": item["unit"],
                "reason": item["reason"],
                "deliveries": [d for d in item["deliveries"] if d["requested"] != d["approved"]],
            }
            for item in decision.items
            if item["outcome"] == ItemOutcome.REDUCED
        ],
    }
