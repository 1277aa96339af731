"""The rating authorization document, drawn with ReportLab like the rated order.

What HHS signs on approval: who may place rated orders (the authorized party), at which rating,
with which suppliers, for which items, quantities and delivery windows, for how long, under
which conditions and on which legal basis. It is not a rated order, so it carries neither the
rated-order certification (45 CFR 101.32(b)) nor a supplier's duties: the orders placed under it
do. Deterministic like the order; the PAdES seal is added afterwards (ratings.documents.signing).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from ratings.documents import render, sections
from ratings.documents.verification import verification_box

AUTHORIZATION_NOT_AN_ORDER = (
    "This authorization is not itself a rated order. Each rated order placed under it is placed and signed by an "
    "individual authorized to sign rated orders for the authorized party (45 CFR 101.32(a)(3)) and carries this "
    "authorization's number."
)


@dataclass(frozen=True)
class AuthorizedItem:
    position: int
    supplier: str
    supplier_address: str
    description: str
    part_number: str
    quantity: str
    unit: str
    ship_to: str
    window_start: str
    window_end: str


@dataclass(frozen=True)
class AuthorizationContent:
    """Everything printed; built from one authorization by services.authorizations."""

    number: str
    version: int
    rating: str
    program: str
    issuing_office: str
    authorized_party: render.Party
    source_reference: str
    items: list[AuthorizedItem]
    valid_from: str
    valid_until: str
    emergency_response_hours: int | None
    conditions: str
    legal_basis: str
    signer_name: str
    signer_title: str
    signed_at: str
    signed_at_pdf: str
    meaning: str
    delegation: str
    fingerprint: str
    verification_url: str
    # The approval decision where it differs from the request (level, items not authorized or
    # reduced, with reasons); left out of the fingerprint when empty.
    decision: tuple[str, ...] = ()
    status: str = "Active"
    change: str = ""  # what this version is, for versions after the first
    change_reason: str = ""
    changes: list[dict[str, str]] = field(default_factory=list)
    superseded: str = ""  # the earlier version this one replaces: "version 1 (fingerprint …)"


def _items_table(content: AuthorizationContent, s: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [
        [render._p(h, s["cell"]) for h in ("#", "Supplier", "Item", "Quantity", "Unit", "Delivery window")]
    ]
    for item in content.items:
        description = escape(item.description)
        if item.part_number:
            description += f"<br/>Part {escape(item.part_number)}"
        if item.ship_to:
            description += f"<br/>Ship to: {escape(item.ship_to)}"
        window = (
            item.window_start if item.window_start == item.window_end else f"{item.window_start} to {item.window_end}"
        )
        rows.append(
            [
                render._p(str(item.position), s["cell"]),
                Paragraph(f"<b>{escape(item.supplier)}</b><br/>{escape(item.supplier_address)}", s["cell"]),
                Paragraph(description, s["cell"]),
                render._p(item.quantity, s["cell"]),
                render._p(item.unit, s["cell"]),
                render._p(window, s["cell"]),
            ]
        )
    return sections.ruled_table(rows, [0.3, 1.9, 2.1, 0.8, 0.6, 1.3])


def _change_block(content: AuthorizationContent, s: dict[str, Any]) -> list[Any]:
    """Versions after the first: what this version changed and why, and what it replaces."""
    if content.version == 1:
        return []
    rows: list[list[Any]] = [[render._p(h, s["cell"]) for h in ("Changed", "Before", "After")]]
    rows += [
        [render._p(c["what"], s["cell"]), render._p(c["before"], s["cell"]), render._p(c["after"], s["cell"])]
        for c in content.changes
    ]
    return [
        render._p(f"Version {content.version}: {content.change}", s["h"]),
        render._p(f"Reason: {content.change_reason}", s["body"]),
        sections.ruled_table(rows, [2.0, 2.5, 2.5]),
        render._p(f"This version replaces {content.superseded}.", s["small"]),
    ]


def render_authorization_pdf(content: AuthorizationContent) -> bytes:
    """The unsigned PDF. Same content in, same bytes out."""
    s = render._styles()
    buffer = io.BytesIO()
    doc = render.letter_document(
        buffer,
        title=f"Rating authorization {content.number} v{content.version}",
        author=content.issuing_office.split(",")[0],
        subject=f"{content.rating} rating authorization",
    )
    story: list[Any] = [
        render._p(f"Rating authorization {content.number}", s["title"]),
        render._p(
            f"Version {content.version} · signed {content.signed_at} · {render.basis_label(content.source_reference)}",
            s["body"],
        ),
        render._p("Issued by: " + content.issuing_office, s["body"]),
        Spacer(1, 6),
        render._p(content.rating, s["rating"]),
        render._p(f"Status: {content.status}", s["h"]),
        render._p(f"Program: {content.program}", s["small"]),
        *_change_block(content, s),
        render._p("Authorized party", s["h"]),
        Paragraph(
            f"<b>{escape(content.authorized_party.name)}</b><br/>{escape(content.authorized_party.address)}", s["body"]
        ),
        render._p("Authorization", s["h"]),
        render._p(
            f"The authorized party may place rated orders at the priority rating {content.rating} with the suppliers "
            f"and for the items below, up to the quantities and with required delivery dates within the windows "
            f"listed, from {content.valid_from} until {content.valid_until}.",
            s["body"],
        ),
        render._p("Authorized suppliers, items, quantities and delivery windows", s["h"]),
        _items_table(content, s),
    ]
    if content.decision:
        story += [render._p("Approval decision: what differs from the request", s["h"])]
        story += [render._p(line, s["body"]) for line in content.decision]
    if content.emergency_response_hours:
        story += [
            render._p("Emergency preparedness", s["h"]),
            render._p(
                "Orders placed under this authorization are placed for the purpose of emergency preparedness and "
                f"carry an acceptance limit of {content.emergency_response_hours} hours (45 CFR 101.32(c)).",
                s["body"],
            ),
        ]
    story += [
        render._p("Conditions", s["h"]),
        render._p(content.conditions, s["body"]),
        render._p("Legal basis", s["h"]),
        render._p(content.legal_basis, s["body"]),
        render._p(AUTHORIZATION_NOT_AN_ORDER, s["body"]),
    ]
    signature = [
        render._p("Electronic signature of the approving official (21 CFR 11.50)", s["h"]),
        Paragraph(
            f"Signed by <b>{escape(content.signer_name)}</b>, {escape(content.signer_title)}<br/>"
            f"Date and time: {escape(content.signed_at)}<br/>"
            f"Meaning: {escape(content.meaning)}<br/>"
            f"Authority: {escape(content.delegation)}",
            s["body"],
        ),
    ]
    verification = verification_box(
        fingerprint=content.fingerprint,
        what="authorization",
        url=content.verification_url,
        url_font_size=5,
        style=s["small"],
    )
    story += [KeepTogether(signature), Spacer(1, 8), KeepTogether([verification])]
    canvas = render.numbered_canvas(
        footer=f"Rating authorization {content.number} v{content.version}", pdf_date=content.signed_at_pdf
    )
    doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()
