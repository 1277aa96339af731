"""Fixtures for rated orders: a development signing pair in tmp, and issued orders."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.cache import cache

from ratings.constants import RatingLevel, RequestState
from ratings.models import Organization, RatedOrder
from ratings.services.orders import changes as order_changes
from ratings.services.requests import drafts, workflow
from tests.factories import CHECKLIST_ALL_TRUE, Cast, details, line_item, request_in_state


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
