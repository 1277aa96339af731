"""The renderer alone, without the database: determinism and content changes."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from ratings.documents.render import Item, OrderContent, Party, render_pdf
from ratings.services.orders.documents import content_fingerprint


def sample_content() -> OrderContent:
    return OrderContent(
        kind="order",
        order_number="HHS-DPA-2026-000042",
        version=1,
        rating="DX-HR",
        level="DX",
        issuing_office="U.S. Department of Health and Human Services, ASPR",
        placing=Party("Acme Vaccines, Inc.", "100 Biotech Way, Cambridge, MA 02139, US"),
        supplier=Party("PumpCo Fill Technologies", "55 Peristaltic Ave, Raleigh, NC 27601, US"),
        source_reference="PRR-2026-00042",
        items=[
            Item(
                1,
                "Aseptic fill pump set",
                "PMP-8",
                "PO-77",
                "4",
                "each",
                "",
                [{"date": "2027-02-01", "quantity": None}],
            )
        ],
        emergency_response_hours=None,
        response_working_days=10,
        signer_name="Sara Secretary",
        signer_title="Secretary of Health and Human Services",
        signed_at="2026-11-22 09:00:00 UTC",
        signed_at_pdf="D:20261122090000+00'00'",
        meaning="Approved: authorizes the priority rating",
        delegation="Secretary of HHS",
        fingerprint="f" * 64,
        verification_url="https://dpa.example.gov/verify/HHS-DPA-2026-000042/" + "f" * 64 + "/",
    )


def test_rendering_is_byte_identical_and_dated_from_the_order():
    first, second = render_pdf(sample_content()), render_pdf(sample_content())
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert b"D:20261122090000+00'00'" in first


def test_any_printed_change_changes_the_fingerprint_but_the_url_does_not():
    base = sample_content()
    assert content_fingerprint(replace(base, rating="DO-HR")) != content_fingerprint(base)
    assert content_fingerprint(replace(base, verification_url="x", fingerprint="y")) == content_fingerprint(base)
