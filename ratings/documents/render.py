"""The rated-order document (45 CFR 101.32) and the cancellation notice, drawn with ReportLab.

Deterministic: invariant mode, a creation date taken from the order, and every printed date
comes from the order content, so one content renders to the same bytes every time. The
PAdES signature is added afterwards (ratings.documents.signing).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from ratings.constants import CONFIDENTIALITY_LEGEND, RATED_ORDER_CERTIFICATION, AmendmentSignificance, DocumentKind
from ratings.documents import sections
from ratings.documents.verification import verification_box


@dataclass(frozen=True)
class Party:
    name: str
    address: str


@dataclass(frozen=True)
class Item:
    position: int
    description: str
    part_number: str
    po_number: str
    quantity: str
    unit: str
    ship_to: str
    required_dates: list[dict[str, Any]]  # [{"date": "2026-12-01", "quantity": "5" | None}]


@dataclass(frozen=True)
class OrderContent:
    """Everything printed; built from one order version by services.orders."""

    kind: str  # DocumentKind
    order_number: str
    version: int
    rating: str
    level: str
    issuing_office: str
    placing: Party
    supplier: Party
    source_reference: str
    items: list[Item]
    emergency_response_hours: int | None
    response_working_days: int
    signer_name: str
    signer_title: str
    signed_at: str  # agency time, "2026-11-22 05:15:03 EST"
    signed_at_pdf: str  # "D:20261122101503+00'00'"
    meaning: str
    delegation: str
    fingerprint: str
    verification_url: str
    amendment_reason: str = ""
    significance: str = ""
    cancellation_reason: str = ""
    # Placed by the customer under an HHS rating authorization (45 CFR 101.32(a)(3)): its number.
    authorization_number: str = ""
    signed_for: str = ""  # the placing party, when its authorized signer signed this version
    extra: dict[str, str] = field(default_factory=dict)
    # Printed only when set; left out of the fingerprint when empty (services.orders.documents).
    changes: list[dict[str, Any]] = field(default_factory=list)  # what this version changed, per item
    parent_order_number: str = ""  # the order whose rating this one extends (flow-down)
    extension_basis: list[dict[str, Any]] = field(default_factory=list)  # flow-down items in another unit


def basis_label(source_reference: str) -> str:
    """A request's reference reads "request RR-..."; HHS's own contract names itself."""
    return source_reference if source_reference.startswith("HHS contract ") else f"request {source_reference}"


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=16, leading=20),
        "rating": ParagraphStyle(
            "rating", parent=base["Title"], fontName="Helvetica-Bold", fontSize=40, leading=46, alignment=TA_CENTER
        ),
        "h": ParagraphStyle("h", parent=base["Heading3"], spaceBefore=8, spaceAfter=3),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=8.5, leading=10.5),
    }


def _numbered_canvas(content: OrderContent, watermark: str = "") -> type[Canvas]:
    return numbered_canvas(
        footer=f"Order {content.order_number} v{content.version}", pdf_date=content.signed_at_pdf, watermark=watermark
    )


def numbered_canvas(*, footer: str, pdf_date: str, watermark: str = "") -> type[Canvas]:
    """A canvas that defers pages so each can print "Page x of y", the §705(d) legend and, on a
    preview, the watermark across the page. Every generated document draws on it."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: pdf_date)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = LETTER
            self.saveState()
            self.setFillColor(colors.HexColor("#8a0000"))
            self.setFont("Helvetica-Bold", 7)
            legend = _wrap(CONFIDENTIALITY_LEGEND, 150)
            for i, line in enumerate(legend):
                self.drawCentredString(width / 2, height - 0.35 * inch - i * 9, line)
            self.setFillColor(colors.black)
            self.setFont("Helvetica", 8)
            self.drawString(0.75 * inch, 0.3 * inch, footer)
            self.drawRightString(width - 0.75 * inch, 0.3 * inch, f"Page {self._pageNumber} of {total}")
            if watermark:
                self.setFillColor(colors.Color(0.75, 0, 0, alpha=0.25))
                self.setFont("Helvetica-Bold", 44)
                self.translate(width / 2, height / 2)
                self.rotate(45)
                self.drawCentredString(0, 0, watermark)
            self.restoreState()

    return NumberedCanvas


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _items_table(content: OrderContent, s: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [
        [_p(h, s["cell"]) for h in ("#", "Item", "PO number", "Quantity", "Unit", "Required delivery date(s)")]
    ]
    for item in content.items:
        dates = "<br/>".join(
            escape(d["date"] + (f" ({d['quantity']} {item.unit})" if d.get("quantity") else ""))
            for d in item.required_dates
        )
        description = escape(item.description)
        if item.part_number:
            description += f"<br/>Part {escape(item.part_number)}"
        if item.ship_to:
            description += f"<br/>Ship to: {escape(item.ship_to)}"
        rows.append(
            [
                _p(str(item.position), s["cell"]),
                Paragraph(description, s["cell"]),
                _p(item.po_number, s["cell"]),
                _p(item.quantity, s["cell"]),
                _p(item.unit, s["cell"]),
                Paragraph(dates, s["cell"]),
            ]
        )
    # A PO number has no spaces to wrap at: its column holds ~18 characters whole (ReportLab
    # would otherwise cut it anywhere, 'PO-ACME-778' / '1'); the description wraps between words.
    return sections.ruled_table(rows, [0.3, 2.1, 1.45, 0.8, 0.6, 1.75])


def letter_document(buffer: io.BytesIO, *, title: str, author: str, subject: str) -> SimpleDocTemplate:
    """The page every document is set on; `invariant` keeps the bytes the same for the same content."""
    return SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.8 * inch,
        bottomMargin=0.9 * inch,
        title=title,
        author=author,
        subject=subject,
        creator="DPA Priority Rating Portal",
        invariant=1,
    )


def _order_body(content: OrderContent, s: dict[str, ParagraphStyle]) -> list[Any]:
    """What a rated order (original or amended) prints between the parties and the signature."""
    story: list[Any] = []
    if content.parent_order_number:
        story += sections.extension(
            content.parent_order_number, content.emergency_response_hours, content.extension_basis, s
        )
    if content.amendment_reason:
        story += sections.amendment(
            version=content.version,
            significance=content.significance,
            reason=content.amendment_reason,
            changes=content.changes,
            s=s,
        )
    story += [_p("Items", s["h"]), _items_table(content, s)]
    if content.emergency_response_hours:
        story += sections.emergency(content.emergency_response_hours, s)
    if content.emergency_response_hours:
        answer = "Accept or reject this order in writing within the emergency time limit above."
    else:
        answer = (
            f"Accept or reject this order in writing within {content.response_working_days} working days of receipt."
        )
    if content.significance == AmendmentSignificance.NOT_SIGNIFICANT.label:
        answer = (
            "This amendment is not a new rated order (45 CFR 101.36(d)): if you accepted the order, your acceptance "
            "stands; if you have not answered yet, the time to answer still runs from receipt of the order."
        )
    extend = "Extend this rating to your own suppliers for the items you need to fill it, with all the elements above"
    if content.emergency_response_hours:
        extend += ", and require their answer within the same time limit"
    story += [
        _p("Certification", s["h"]),
        _p(RATED_ORDER_CERTIFICATION, s["body"]),
        _p("Supplier's duties (in brief)", s["h"]),
        _p(
            f"{answer} A rejection must give its reasons in writing; if you cannot meet a required date, state the "
            "earliest date you can and offer to accept on that basis. Do not charge more or set worse terms than for "
            f"unrated orders. {extend} (45 CFR 101.35). After acceptance, notify any delay at once with reasons and "
            "a new date.",
            s["body"],
        ),
    ]
    return story


def render_pdf(content: OrderContent, *, watermark: str = "") -> bytes:
    """The unsigned PDF. Same content in, same bytes out. A preview carries a watermark (never
    part of the content, so never part of a fingerprint)."""
    s = _styles()
    buffer = io.BytesIO()
    is_cancellation = content.kind == DocumentKind.CANCELLATION
    title = "Notice of cancellation of rated order" if is_cancellation else "Rated order"
    doc = letter_document(
        buffer,
        title=f"{title} {content.order_number} v{content.version}",
        author=content.issuing_office.split(",")[0],
        subject=f"{content.rating} rated order",
    )
    story: list[Any] = [
        _p(f"{title} {content.order_number}", s["title"]),
        _p(
            f"Version {content.version} · issued {content.signed_at} · {basis_label(content.source_reference)}",
            s["body"],
        ),
        _p(
            f"Placed by {content.placing.name} under rating authorization {content.authorization_number} "
            f"of {content.issuing_office}"
            if content.authorization_number
            else "Issuing office: " + content.issuing_office,
            s["body"],
        ),
        Spacer(1, 6),
    ]
    if is_cancellation:
        story += [
            _p("CANCELLED", s["rating"]),
            _p(f"The priority rating {content.rating} no longer applies to this order.", s["small"]),
        ]
    else:
        story += [
            _p(content.rating, s["rating"]),
            _p(
                "Priority rating under the Defense Production Act, Title I, and the Health Resources Priorities and "
                "Allocations System (45 CFR part 101).",
                s["small"],
            ),
        ]
        if content.extra.get("program_determination"):
            # The program symbol's legal basis, beside the symbol it explains.
            story.append(_p("Program determination: " + content.extra["program_determination"], s["small"]))
    parties = Table(
        [
            [_p("Placing organization (customer)", s["h"]), _p("Supplier", s["h"])],
            [
                Paragraph(f"<b>{escape(content.placing.name)}</b><br/>{escape(content.placing.address)}", s["body"]),
                Paragraph(f"<b>{escape(content.supplier.name)}</b><br/>{escape(content.supplier.address)}", s["body"]),
            ],
        ],
        colWidths=[3.5 * inch, 3.5 * inch],
    )
    story += [parties]
    if is_cancellation:
        story += sections.cancellation(
            order_number=content.order_number,
            rating=content.rating,
            replaced_version=content.version - 1,
            signed_at=content.signed_at,
            reason=content.cancellation_reason,
            meaning=content.meaning,
            placing_name=content.placing.name,
            s=s,
        )
        story += [_p("Items cancelled", s["h"]), _items_table(content, s)]
    else:
        story += _order_body(content, s)
    signed_for = ""
    if content.signed_for:
        # 45 CFR 101.32(a)(3): an individual authorized to sign rated orders for the placing party.
        signed_for = f"For {escape(content.signed_for)}, by its authorized signer<br/>"
    signature = [
        _p("Electronic signature (21 CFR 11.50)", s["h"]),
        Paragraph(
            signed_for + f"Signed by <b>{escape(content.signer_name)}</b>, {escape(content.signer_title)}<br/>"
            f"Date and time: {escape(content.signed_at)}<br/>"
            f"Meaning: {escape(content.meaning)}<br/>"
            f"Authority: {escape(content.delegation)}",
            s["body"],
        ),
    ]
    verification = verification_box(
        fingerprint=content.fingerprint, what="order", url=content.verification_url, url_font_size=5.5, style=s["small"]
    )
    story += [KeepTogether(signature), Spacer(1, 8), KeepTogether([verification])]
    doc.build(story, canvasmaker=_numbered_canvas(content, watermark))
    return buffer.getvalue()
