"""The verification box every signed document ends with: fingerprint, address and its QR code.

The QR code is a flowable that writes its dark modules as one filled path of rectangles straight
into the page's content stream: a path built through `reportlab.graphics` shapes costs one
formatted coordinate per corner and was most of a one-item order's rendering time.
"""

from __future__ import annotations

import itertools
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks
QR_SIZE = 1.2 * inch


def qr_modules(url: str) -> list[list[bool]]:
    """The symbol's modules, row by row (True = dark). One fixed mask pattern: every reader
    decodes any of the eight, and scoring all eight for the least penalty (what `make()` does)
    would cost more than the rest of the page; the address always has the same shape (site,
    document number, 64 hex digits), which mask 0 renders cleanly."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    code.addData(url)
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    return [[bool(module) for module in row] for row in code.modules]


class QrCode(Flowable):  # type: ignore[misc]  # ReportLab ships no type hints
    def __init__(self, url: str, size: float = QR_SIZE) -> None:
        super().__init__()
        self.modules = qr_modules(url)
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        box = self.size / (len(self.modules) + 2 * QUIET_ZONE)
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            y = self.size - (r + QUIET_ZONE + 1) * box
            column = 0
            for dark, run in itertools.groupby(row):
                length = sum(1 for _ in run)
                if dark:
                    path.rect((column + QUIET_ZONE) * box, y, length * box, box)
                column += length
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def verification_box(*, fingerprint: str, what: str, url: str, url_font_size: float, style: ParagraphStyle) -> Any:
    """The boxed block at the foot of a document: how to check it is genuine."""
    box = Table(
        [
            [
                Paragraph(
                    "<b>Verify this document</b><br/>"
                    f"Fingerprint (SHA-256 of the {what} content):<br/><font face='Courier' size='7'>"
                    f"{fingerprint}</font><br/>"
                    "Verification address (also in the QR code):<br/>"
                    f"<font face='Courier' size='{url_font_size}'>{escape(url)}</font><br/>"
                    "The document also carries a digital (PAdES) signature of the agency.",
                    style,
                ),
                QrCode(url),
            ]
        ],
        colWidths=[5.6 * inch, 1.4 * inch],
    )
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return box
