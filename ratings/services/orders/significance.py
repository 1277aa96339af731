"""Is an amendment a new rated order? 45 CFR 101.36(c)-(d), applied item by item and date by date.

101.36(c): an amendment that significantly alters the supplier's production or delivery schedule
is a new rated order (a new acceptance clock). 101.36(d): not a new order are a change in
shipping destination, a reduction in the total amount, an increase with negligible impact on
deliveries, a minor variation in size or design, and a change agreed between supplier and
customer. Each item is judged on its own, and its delivery schedule date by date: a ship-to
change on every item of a split-delivery order stays not significant, while one moved date on
one item makes that order (and only that order) a new rated order.

Pure functions over two `items_snapshot` lists: no database, so every rule is testable alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from dpa_portal.errors import ValidationFailed
from ratings.constants import AmendmentSignificance
from ratings.services.items import format_quantity

SCHEDULE = "alters the delivery schedule (45 CFR 101.36(c))"
AGREED = "change agreed by the supplier (45 CFR 101.36(d))"


@dataclass(frozen=True)
class Change:
    """One printed line of "what changed": item, what, before → after, and its effect."""

    position: int
    what: str
    before: str
    after: str
    significant: bool
    effect: str

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def _schedule(item: dict[str, Any]) -> dict[str, Decimal | None]:
    """Date → quantity due that day. One unsplit date carries the whole quantity; several
    unsplit dates carry no per-date quantity (None)."""
    dates = item["required_dates"]
    if len(dates) == 1 and dates[0].get("quantity") in (None, ""):
        return {dates[0]["date"]: Decimal(item["quantity"])}
    return {d["date"]: None if d.get("quantity") in (None, "") else Decimal(d["quantity"]) for d in dates}


def schedule_text(item: dict[str, Any]) -> str:
    return "; ".join(
        d["date"] + (f": {d['quantity']} {item['unit']}" if d.get("quantity") not in (None, "") else "")
        for d in item["required_dates"]
    )


def _item_line(item: dict[str, Any]) -> str:
    return f"{item['description']}, {item['quantity']} {item['unit']}, due {schedule_text(item)}"


def _increase_effect(before: Decimal, after: Decimal) -> tuple[bool, str]:
    percent = settings.ORDER_NEGLIGIBLE_INCREASE_PERCENT
    if after - before <= before * Decimal(percent) / 100:
        return False, f"increase of at most {percent}%: negligible impact on deliveries (45 CFR 101.36(d))"
    return True, f"increase over {percent}%: " + SCHEDULE


def _schedule_findings(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[bool, str]]:
    """Date by date: (significant, basis) for every date whose delivery changed."""
    old, new = _schedule(before), _schedule(after)
    q_before, q_after = Decimal(before["quantity"]), Decimal(after["quantity"])
    findings = [(True, f"delivery on {day} added: {SCHEDULE}") for day in sorted(set(new) - set(old))]
    moves: list[tuple[str, int]] = []  # (what changed on that date, +1 more / -1 less delivered)
    for day in sorted(old):
        if day not in new:
            moves.append((f"delivery on {day} dropped", -1))
        elif old[day] != new[day]:
            q_old, q_new = old[day], new[day]
            if q_old is None or q_new is None:  # a split quantity set or removed: the plan changes
                findings.append((True, f"quantity due {day} set per date: {SCHEDULE}"))
                continue
            moves.append(
                (f"quantity due {day} {format_quantity(q_old)} → {format_quantity(q_new)}", 1 if q_new > q_old else -1)
            )
    signs = {sign for _, sign in moves}
    # Less on one date and more on another (or on a new date) is a delivery moved, not a cut.
    shifted = signs == {1, -1} or (-1 in signs and bool(findings))
    for text, sign in moves:
        if shifted:
            findings.append((True, f"{text}, quantity moved between dates: {SCHEDULE}"))
        elif sign < 0 and q_after < q_before:
            findings.append((False, f"{text}: reduction in the total amount (45 CFR 101.36(d))"))
        elif sign < 0:
            findings.append((True, f"{text} without reducing the total amount: {SCHEDULE}"))
        else:
            significant, effect = _increase_effect(q_before, q_after)
            findings.append((significant, f"{text}: {effect}"))
    return findings


def _quantity_effect(q_before: Decimal, q_after: Decimal) -> tuple[bool, str]:
    if q_after < q_before:
        return False, "reduction in the total amount (45 CFR 101.36(d))"
    return _increase_effect(q_before, q_after)


def _item_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[Change], list[tuple[bool, str]]]:
    """The printed changes of one item and the date-by-date basis behind them."""
    n = before["position"]
    changes: list[Change] = []
    basis: list[tuple[bool, str]] = []

    def changed(what: str, old: str, new: str, significant: bool, effect: str, *, explain: bool = True) -> None:
        changes.append(Change(n, what, old or "(none)", new or "(none)", significant, effect))
        if explain:
            basis.append((significant, f"{what.lower()} changed: {effect}"))

    if before["ship_to"] != after["ship_to"]:
        changed(
            "Ship to", before["ship_to"], after["ship_to"], False, "change in shipping destination (45 CFR 101.36(d))"
        )
    if before["po_number"] != after["po_number"]:
        changed("PO number", before["po_number"], after["po_number"], False, "does not alter the delivery schedule")
    for key, label in (("description", "Description"), ("part_number", "Part number"), ("unit", "Unit")):
        if before[key] != after[key]:
            changed(label, before[key], after[key], True, f"change in what is ordered: {SCHEDULE}")
    findings = _schedule_findings(before, after)
    q_before, q_after = Decimal(before["quantity"]), Decimal(after["quantity"])
    if q_after != q_before:
        significant, effect = _quantity_effect(q_before, q_after)
        # The date-by-date findings explain a quantity change whenever the schedule shows it.
        changed(
            "Quantity",
            f"{before['quantity']} {before['unit']}",
            f"{after['quantity']} {after['unit']}",
            significant,
            effect,
            explain=not findings,
        )
    if before["required_dates"] != after["required_dates"]:
        significant = any(s for s, _ in findings)
        effect = SCHEDULE if significant else "no delivery moved (45 CFR 101.36(d))"
        changed("Delivery schedule", schedule_text(before), schedule_text(after), significant, effect, explain=False)
    basis += findings
    return changes, [(s, f"item {n}: {text}") for s, text in basis]


@dataclass(frozen=True)
class Assessment:
    significance: str  # AmendmentSignificance
    basis: str  # one entry per item and date, "; "-separated
    changes: list[dict[str, Any]]  # Change rows, as the version stores and the document prints them


def assess_amendment(old: list[dict[str, Any]], new: list[dict[str, Any]], *, agreed: bool = False) -> Assessment:
    """`agreed`: the supplier signed its agreement to exactly this change (101.36(d)), so no
    change of it is a new rated order."""
    old_by, new_by = {i["position"]: i for i in old}, {i["position"]: i for i in new}
    changes: list[Change] = []
    basis: list[tuple[bool, str]] = []
    for n in sorted(set(old_by) | set(new_by)):
        before, after = old_by.get(n), new_by.get(n)
        if before is None and after is not None:
            changes.append(Change(n, "Item added", "—", _item_line(after), True, f"new item: {SCHEDULE}"))
            basis.append((True, f"item {n}: added: {SCHEDULE}"))
        elif after is None and before is not None:
            effect = "reduction in the total amount (45 CFR 101.36(d))"
            changes.append(Change(n, "Item removed", _item_line(before), "—", False, effect))
            basis.append((False, f"item {n}: removed: {effect}"))
        elif before is not None and after is not None:
            item_changes, item_basis = _item_changes(before, after)
            changes += item_changes
            basis += item_basis
    if not changes:
        raise ValidationFailed(
            "The amendment changes nothing; change a date, quantity, ship-to address or item.", field="items"
        )
    if agreed:
        changes = [
            Change(c.position, c.what, c.before, c.after, False, AGREED if c.significant else c.effect) for c in changes
        ]
        basis = [(False, f"{text} — {AGREED}" if significant else text) for significant, text in basis]
    significant = any(s for s, _ in basis)
    return Assessment(
        significance=AmendmentSignificance.SIGNIFICANT if significant else AmendmentSignificance.NOT_SIGNIFICANT,
        basis="; ".join(text for _, text in basis),
        changes=[c.as_row() for c in changes],
    )
