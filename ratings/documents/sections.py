"""The parts of a rated-order document that depend on what the version is: an amendment (what
changed, item by item), a cancellation notice (its own content), an emergency order (the
101.32(c) statement with its time limit) and an order extending a customer's rating (45 CFR
101.35). Each returns ReportLab flowables; `render.render_pdf` places them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Table, TableStyle

from ratings.constants import (
    CANCELLATION_SUB_TIER_DUTY,
    EMERGENCY_PREPAREDNESS_STATEMENT,
    EXTENSION_CITATION,
    SIGNATURE_MEANING_PLACING_CANCELLATION,
)
from ratings.constants_authorization import DX_UPGRADE_PREFERENCE, RATING_CHANGE

Styles = dict[str, ParagraphStyle]


def ruled_table(rows: list[list[Any]], widths_in_inches: list[float]) -> Table:
    """A table of every document: ruled cells, a grey header row repeated on each page."""
    table = Table(rows, colWidths=[width * inch for width in widths_in_inches], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def changes_table(changes: Sequence[dict[str, Any]], s: Styles) -> Table:
    """What this version changed: one row per item and attribute, before → after, and why the
    change is or is not a new rated order."""
    rows: list[list[Any]] = [[_p(h, s["cell"]) for h in ("#", "Changed", "Before", "After", "Effect")]]
    for change in changes:
        rows.append(
            [
                _p(str(change["position"]), s["cell"]),
                _p(change["what"], s["cell"]),
                _p(change["before"], s["cell"]),
                _p(change["after"], s["cell"]),
                _p(change["effect"], s["cell"]),
            ]
        )
    return ruled_table(rows, [0.3, 1.0, 1.9, 1.9, 1.9])


def amendment(
    *, version: int, significance: str, reason: str, changes: Sequence[dict[str, Any]], s: Styles
) -> list[Any]:
    story: list[Any] = [
        _p(f"Amendment (version {version})", s["h"]),
        _p(f"{significance}. Reason: {reason}", s["body"]),
    ]
    if changes:
        story += [_p("What changed", s["h"]), changes_table(changes, s)]
    if any(change["what"] == RATING_CHANGE for change in changes):
        story.append(_p(DX_UPGRADE_PREFERENCE, s["body"]))
    return story


def emergency(hours: int, s: Styles) -> list[Any]:
    """45 CFR 101.32(c), in substance, with the order's time limit."""
    return [
        _p("Emergency preparedness rated order (45 CFR 101.32(c))", s["h"]),
        _p(EMERGENCY_PREPAREDNESS_STATEMENT.format(hours=hours), s["body"]),
    ]


def extension(
    parent_order_number: str, emergency_hours: int | None, basis: Sequence[dict[str, Any]], s: Styles
) -> list[Any]:
    """A supplier's order to its own supplier, extending the rating it received: the emergency
    time limit carried down, and the basis of each item counted in a unit the parent does not use."""
    text = (
        f"This order extends the priority rating of rated order {parent_order_number}, which the "
        f"customer placing this order received, to the items it needs to fill that order ({EXTENSION_CITATION})."
    )
    if emergency_hours:
        text += (
            f" That order is an emergency preparedness order: the same time limit of {emergency_hours} hours "
            "applies to your acceptance or rejection."
        )
    story: list[Any] = [_p("Extension of a priority rating", s["h"]), _p(text, s["body"])]
    for entry in basis:
        story.append(
            _p(
                f"Item {entry['position']} is counted in {entry['unit']}, a unit order {parent_order_number} does "
                f"not use. Basis for the quantity: {entry['basis']}",
                s["body"],
            )
        )
    return story


def cancellation(
    *,
    order_number: str,
    rating: str,
    replaced_version: int,
    signed_at: str,
    reason: str,
    meaning: str,
    placing_name: str,
    s: Styles,
) -> list[Any]:
    """What is cancelled, why, when, by whom, and the duty to pass it on. No certification, no
    duty to accept or reject, no amendment block: the order no longer asks anything of the
    supplier but to stop and to tell its own suppliers."""
    if meaning == SIGNATURE_MEANING_PLACING_CANCELLATION:
        by = f"written notice of {placing_name}, which placed the order (45 CFR 101.36(a)(2))"
    else:
        by = "official action of HHS (45 CFR 101.36(a)(1))"
    return [
        _p("What is cancelled", s["h"]),
        _p(
            f"Rated order {order_number} (version {replaced_version} and every item listed below) is cancelled, "
            f"with its priority rating {rating}.",
            s["body"],
        ),
        _p("Why", s["h"]),
        _p(reason, s["body"]),
        _p("When and by whom", s["h"]),
        _p(f"Effective {signed_at}, by {by}.", s["body"]),
        _p("Your duty: pass the cancellation on", s["h"]),
        _p(CANCELLATION_SUB_TIER_DUTY, s["body"]),
    ]
