"""Fixtures for rated orders: a development signing pair in tmp, and issued orders."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.cache import cache

from ratings.constants import RatingLevel, RequestState
from ratings.models import Organization, RatedOrder
from ratings.services.items import DeliveryInput
from ratings.services.orders import changes as order_changes
from ratings.services.requests import drafts, workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, Cast, details, line_item, otp, place_orders, request_in_state


@pytest.fixture(autouse=True)
def _order_settings(settings):
    settings.SITE_URL = "https://dpa.example.gov"
    cache.clear()  # the verification rate limit counts in the cache


def issue_order(cast: Cast, django_capture_on_commit_callbacks, *, level: str = RatingLevel.DO, **kwargs) -> RatedOrder:
    """Approve a request through the services and run its on-commit document generation."""
    with django_capture_on_commit_callbacks(execute=True):
        rr = request_in_state(cast, RequestState.ISSUED, level=level, **kwargs)
    return rr.rated_orders.get()


def recommended_with_items(cast: Cast, items: list[drafts.LineItemInput], **overrides):
    rr = drafts.rating_request_create(
        actor=cast.applicant, organization=cast.manufacturer, details=details(cast, **overrides), line_items=items
    )
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    return workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )


def many_items(supplier: Organization, count: int) -> list[drafts.LineItemInput]:
    start = dt.date(2027, 1, 4)
    return [
        line_item(
            supplier,
            po=f"PO-{n:03d}",
            description=f"Filtration skid model {n}",
            dates=[start + dt.timedelta(days=n), start + dt.timedelta(days=n + 40)],
        )
        for n in range(1, count + 1)
    ]


def split_items(supplier: Organization, count: int, *, first: int = 1) -> list[drafts.LineItemInput]:
    """`count` items, each of 800 units split over two dates: 500 due first, 300 forty days later."""
    start = dt.date(2027, 1, 4)
    return [
        drafts.LineItemInput(
            supplier_id=supplier.pk,
            po_number=f"PO-{n:03d}",
            description=f"Filtration skid model {n}",
            part_number=f"PN-{n}",
            quantity="800",
            unit="each",
            ship_to="Dock 1, 100 Biotech Way, Cambridge, MA",
            deliveries=[
                DeliveryInput(start + dt.timedelta(days=n), "500"),
                DeliveryInput(start + dt.timedelta(days=n + 40), "300"),
            ],
        )
        for n in range(first, first + count)
    ]


def issue_orders(cast: Cast, django_capture_on_commit_callbacks, items: list[drafts.LineItemInput], **overrides):
    """Approve a request with `items` through the services; its orders, one per supplier."""
    rr = recommended_with_items(cast, items, **overrides)
    with django_capture_on_commit_callbacks(execute=True):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )
        place_orders(cast, rr)
    return list(rr.rated_orders.order_by("pk"))


def as_amended(item: dict, **changes) -> order_changes.AmendedItem:
    """A stored item (items_snapshot entry) as an amendment gives it back, split quantities kept."""
    values = dict(
        position=item["position"],
        description=item["description"],
        quantity=item["quantity"],
        unit=item["unit"],
        required_dates=[DeliveryInput(d["date"], d["quantity"]) for d in item["required_dates"]],
        po_number=item["po_number"],
        part_number=item["part_number"],
        ship_to=item["ship_to"],
    )
    return order_changes.AmendedItem(**{**values, **changes})


def amended_item(order: RatedOrder, **changes) -> order_changes.AmendedItem:
    """Item 1 of the order's current version as an amendment would give it, with `changes`."""
    item = order.versions.get(number=order.current_version).items_snapshot[0]
    values = dict(
        position=1,
        description=item["description"],
        quantity=item["quantity"],
        unit=item["unit"],
        required_dates=[dt.date.fromisoformat(d["date"]) for d in item["required_dates"]],
        ship_to=item["ship_to"],
    )
    return order_changes.AmendedItem(**{**values, **changes})


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())
