"""Fixtures for supplier responses, clocks and flow-down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ratings.constants import NotificationKind, RatingLevel, RequestState, Role
from ratings.models import Notification, Organization, RatedOrder, RatedOrderVersion, User
from ratings.services.orders import clocks as order_clocks
from ratings.services.suppliers import flowdown
from tests.factories import PASSWORD, Cast, OrganizationFactory, member, request_in_state


@pytest.fixture(autouse=True)
def _supplier_settings(settings):
    settings.SITE_URL = "https://dpa.example.gov"
    settings.SUPPLIER_RESPONSE_WORKING_DAYS = {"DO": 15, "DX": 10}
    settings.SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS = [5, 1]
    settings.DELAY_CONFIRMATION_WORKING_DAYS = 5
    settings.AGENCY_TIME_ZONE = "America/New_York"


def issued(cast: Cast, capture, *, level: str = RatingLevel.DO, **kwargs) -> RatedOrder:
    """An approved request's order, its document generated and its notice delivered (eager)."""
    with capture(execute=True):
        rr = request_in_state(cast, RequestState.ISSUED, level=level, **kwargs)
    return rr.rated_orders.get()


def issued_undelivered(cast: Cast, capture, *, level: str = RatingLevel.DO, **kwargs) -> RatedOrder:
    """An order whose notice is written but not yet sent (on-commit work not run)."""
    with capture(execute=False):
        rr = request_in_state(cast, RequestState.ISSUED, level=level, **kwargs)
    return rr.rated_orders.get()


def deliver_at(order: RatedOrder, when: dt.datetime, *, version: int = 1) -> RatedOrderVersion:
    """The outbox's receipt hook, as run when the order notice is sent at `when`."""
    row = Notification.objects.filter(
        object_type="ratings.RatedOrderVersion",
        object_id=str(order.versions.get(number=version).pk),
        kind__in=[NotificationKind.ORDER_ISSUED, NotificationKind.ORDER_AMENDED],
    ).first()
    assert row is not None
    order_clocks.order_notice_delivered(notification=row, sent_at=when)
    return order.versions.get(number=version)


def supplier_org(name: str) -> tuple[Organization, User]:
    org = OrganizationFactory(supplier=True, legal_name=name, short_name=name.split()[0])
    return org, member(org, Role.SUPPLIER_CONTACT, first_name=name.split()[0], last_name="Contact")


def future(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def extend(parent: RatedOrder, actor: User, sub: Organization, capture, *, quantity: str = "5", days: int = 20):
    with capture(execute=True):
        return flowdown.flowdown_order_create(
            parent=parent,
            actor=actor,
            sub_supplier=sub,
            po_number=f"SUB-{sub.pk}",
            items=[
                flowdown.FlowdownItemInput(
                    description="Filter membrane", quantity=quantity, unit="each", required_dates=[future(days)]
                )
            ],
            password=PASSWORD,
        )
