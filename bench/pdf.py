"""Rated-order PDF: render and sign, 1 and 40 items (run by `make bench`; no database needed).

    .venv/bin/python bench/pdf.py

The floor, measured in the same run: ReportLab writing a one-page document with one paragraph
(what any PDF costs here). Goals: 1 item unsigned <= 15 ms median, signed <= 40 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
from pathlib import Path

from common import exit_status, figure, interleaved, timed
from django.conf import settings
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from ratings.documents import render, signing

GOALS = {("1 item", "unsigned"): 0.015, ("1 item", "signed"): 0.040}


def content(items: int) -> render.OrderContent:
    party = render.Party(name="Acme Vaccines Inc.", address="1 Main Street\nSpringfield, VA 22150")
    return render.OrderContent(
        kind="order",
        order_number="HHS-2026-000123",
        version=1,
        rating="DO-H1",
        level="DO",
        issuing_office=settings.ISSUING_OFFICE,
        placing=party,
        supplier=render.Party(name="Filtra Corp", address="2 Side Road\nDayton, OH 45402"),
        source_reference="PRR-2026-00042",
        items=[
            render.Item(
                position=i,
                description=f"Filtration skid model {i}, stainless, with spare membranes",
                part_number=f"PN-{i:04d}",
                po_number=f"PO-{1000 + i}",
                quantity="10",
                unit="each",
                ship_to="Plant 3, Springfield",
                required_dates=[{"date": "2027-01-15", "quantity": None}],
            )
            for i in range(1, items + 1)
        ],
        emergency_response_hours=None,
        response_working_days=15,
        # A placed order: the customer's authorized signer signs under HHS's rating authorization.
        signer_name="Sam Signer",
        signer_title="Vice President, Supply Chain",
        signed_at="2026-11-22 05:15:03 EST",
        signed_at_pdf="D:20261122101503+00'00'",
        meaning="Placement of a rated order",
        delegation="Designated authorized signer of Acme Vaccines Inc.",
        authorization_number="RA-2026-00042",
        signed_for="Acme Vaccines Inc.",
        fingerprint="a" * 64,
        verification_url=f"{settings.SITE_URL}/verify/HHS-2026-000123/{'a' * 64}/",
    )


def floor_pdf() -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=LETTER).build([Paragraph("Rated order", getSampleStyleSheet()["Normal"])])
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    settings.DOCUMENT_SIGNING_CERT, settings.DOCUMENT_SIGNING_KEY = folder / "cert.pem", folder / "key.pem"
    settings.DOCUMENT_SIGNING_KEY_PASSPHRASE = ""
    signing.ensure_dev_certificate(folder / "cert.pem", folder / "key.pem")
    one, forty = content(1), content(40)
    unsigned_one = render.render_pdf(one)
    signing.sign_pdf(unsigned_one, reason="warm-up")  # the signer loads once per process
    variants = {
        ("1 item", "unsigned"): lambda: timed(lambda: render.render_pdf(one)),
        ("1 item", "signed"): lambda: timed(lambda: signing.sign_pdf(render.render_pdf(one), reason="bench")),
        ("40 items", "unsigned"): lambda: timed(lambda: render.render_pdf(forty)),
        ("40 items", "signed"): lambda: timed(lambda: signing.sign_pdf(render.render_pdf(forty), reason="bench")),
        ("floor", ""): lambda: timed(floor_pdf),
    }
    results = interleaved(variants, args.runs)  # type: ignore[arg-type]
    floor = [s * 1000 for s in results[("floor", "")]]
    print(f"rated-order PDF, render (+ PAdES signature), {args.runs} interleaved runs, milliseconds")
    for key, seconds in results.items():
        if key == ("floor", ""):
            continue
        goal = GOALS.get(key)  # type: ignore[call-overload]
        median = statistics.median(seconds)
        figure(
            " ".join(key),
            [s * 1000 for s in seconds],
            floor,
            unit=" ms",
            digits=1,
            goal=f"<= {goal * 1000:.0f} ms" if goal else "-",
            met=goal is None or median <= goal,
        )
    return exit_status()


if __name__ == "__main__":
    sys.exit(main())
