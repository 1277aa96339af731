"""Helpers for the portal's test-client tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from ratings.models import RatingRequest
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def login(client: Client, user: Any) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def applicant_client(client: Client, cast: Any) -> Client:
    return login(client, cast.applicant)


def future(days: int = 40) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def snapshot(rr: RatingRequest) -> tuple[str, int, int, int, int]:
    """State, version, line items, attachments and audit rows: what a refused action must not change."""
    fresh = RatingRequest.objects.get(pk=rr.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.line_items.count(),
        fresh.attachments.count(),
        AuditEvent.objects.count(),
    )


def details_post(cast: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "government_program": "Pandemic vaccine production",
        "contract_number": "75A501",
        "contracting_agency": "BARDA",
        "contracting_officer": "",
        "fda_status": "bla",
        "fda_number": "BLA 125742",
        "fda_status_other": "",
        "related_rated_orders": "",
        "end_customer": "",
        "health_resource": "mRNA vaccine",
        "category": "vaccine",
        "program": str(cast.program.pk),
        "requested_level": "DO",
        "emergency_response_hours": "",
        "next": "1",
    }
    data.update(overrides)
    return data


def items_post(rows: list[dict[str, Any]], *, initial: int | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(len(rows) if initial is None else initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    data.update(extra)
    return data


def item_row(supplier: Any, **overrides: Any) -> dict[str, Any]:
    row = {
        "supplier": str(supplier.pk),
        "po_number": "PO-77",
        "description": "Filtration skid",
        "part_number": "FS-200",
        "quantity": "4",
        "unit": "each",
        "required_dates": future(),
    }
    row.update(overrides)
    return row


def assert_second_row_refused(response: Any, field: str, message: str) -> None:
    """Of two item rows, the first is fine and the second is refused beside `field`."""
    forms = response.context["formset"].forms
    assert (forms[0].errors, list(forms[1].errors)) == ({}, [field])
    assert forms[1].errors[field][0].startswith(message)
