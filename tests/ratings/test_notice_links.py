"""Every link in every notice of the demo scenario opens a page its recipient can see.

The demo (`seed_demo`) is followed by what happens next in time, through the services: the
customer accepts an offered date, a supplier notifies a delay, the customer records one reported
by phone, the clocks run past every reminder and due date, and the applicant's held notices go
out as a daily digest. Then each link of each notice (the in-app link and every address in the
e-mail's text and HTML bodies) is opened signed in as the notice's recipient: 200, no login wall.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from ratings.constants import NotificationKind, NotificationStatus, OrderStatus, RatingLevel
from ratings.models import Notification, RatedOrder, User
from ratings.services.notifications import digest, outbox, preferences, rendering
from ratings.services.orders import reminders
from ratings.services.requests import overdue
from ratings.services.suppliers import offers
from ratings.services.suppliers import responses as supplier_responses
from tests.conftest import SecondFactorClient

ADDRESS = re.compile(r"https?://[^\s<>\"']+")


def _later_steps() -> None:
    """What follows the demo in time, each step through its service."""
    applicant, supplier = User.objects.get(username="applicant"), User.objects.get(username="supplier")
    # The live demo's orders (the program view's history has orders of its own)
    live = RatedOrder.objects.exclude(source_request__reference__startswith="PRR-H").filter(parent__isnull=True)
    preferences.notification_preferences_set(user=applicant, actor=applicant, choices={"overdue": "digest"})
    offered = live.get(supplier__short_name="PumpCo", status=OrderStatus.REJECTED, level=RatingLevel.DX)
    offers.rejection_offer_accept(order=offered, actor=applicant)
    accepted = live.get(supplier=supplier.memberships.get().organization, status=OrderStatus.ACCEPTED)
    later = timezone.localdate() + dt.timedelta(days=120)
    supplier_responses.rated_order_notify_delay(
        order=accepted, actor=supplier, reasons="The membrane supplier is late.", new_date=later
    )
    directed = live.get(supplier__short_name="Membrana")
    supplier_responses.rated_order_record_delay_report(
        order=directed, actor=applicant, reasons="Casting line down for a week.", new_date=later, channel="phone call"
    )
    # The outbox's task mails each notice once its cause commits (the test's transaction never
    # does): delivery starts the suppliers' answer clocks.
    for pk in Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True):
        outbox.notification_deliver(notification_id=pk)
    start = timezone.now().replace(hour=17, minute=0)
    for day in range(0, 60, 1):
        now = start + dt.timedelta(days=day)
        reminders.order_reminders_send(now=now)
        overdue.review_overdue_notify(now=now)
    digest.notification_digests_send(now=start + dt.timedelta(days=60))


@pytest.fixture
def demo_notices(db) -> list[Notification]:
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
    _later_steps()
    return list(Notification.objects.select_related("recipient").order_by("pk"))


def links_of(notice: Notification) -> set[str]:
    text, html = rendering.bodies(notice)  # a reminder not delivered yet is rendered here, as at delivery
    found = set(ADDRESS.findall(text)) | set(ADDRESS.findall(html))
    if notice.link:
        found.add(notice.link)
    return {address.removeprefix(settings.SITE_URL) for address in found}


def test_every_link_in_every_notice_of_the_demo_opens_for_its_recipient(demo_notices):
    # given: the demo's notices, of every kind its story brings
    kinds = {n.kind for n in demo_notices}
    assert kinds >= {
        NotificationKind.REQUEST_STATUS,
        NotificationKind.REQUEST_DECISION,
        NotificationKind.INFORMATION_REQUESTED,
        NotificationKind.RETURNED_FOR_CORRECTION,
        NotificationKind.REQUEST_SUBMITTED,
        NotificationKind.REVIEW_ASSIGNED,
        NotificationKind.REVIEW_OVERDUE,
        NotificationKind.ORDER_ISSUED,
        NotificationKind.ORDER_AMENDED,
        NotificationKind.ORDER_CANCELLED,
        NotificationKind.PLACED_ORDER_CHANGED,
        NotificationKind.ORDER_RESPONSE,
        NotificationKind.OFFER_ACCEPTED,
        NotificationKind.RESPONSE_REMINDER,
        NotificationKind.RESPONSE_OVERDUE,
        NotificationKind.DELAY_CONFIRMATION_DUE,
        NotificationKind.ASSISTANCE_CASE_OPENED,
        NotificationKind.ASSISTANCE_UPDATE,
        NotificationKind.DIRECTIVE_ISSUED,
        NotificationKind.INVITATION,
        NotificationKind.DIGEST,
    }, kinds
    assert any(n.status == NotificationStatus.DIGESTED for n in demo_notices)

    # when: each link is opened as its recipient (the invitation before anyone signs in as the
    # invited person: signing in spends its one-time token, as choosing a password does)
    opened: dict[tuple[int, str], int] = {}
    no_link, failures = [], []
    for notice in sorted(demo_notices, key=lambda n: n.kind != NotificationKind.INVITATION):
        paths = links_of(notice)
        if not paths:
            no_link.append(f"{notice.kind} to {notice.recipient.username}: {notice.subject}")
        for path in paths:
            key = (notice.recipient_id, path)
            if key not in opened:
                client = SecondFactorClient()
                if notice.kind != NotificationKind.INVITATION:
                    client.force_login(notice.recipient)
                opened[key] = client.get(path).status_code
            if opened[key] != 200:
                failures.append(f"{opened[key]} {notice.kind} to {notice.recipient.username}: {path}")

    # then
    assert failures == []
    assert no_link == []
    # and manufacturers and suppliers are never sent to the HHS admin
    to_admin = [
        f"{n.kind} to {n.recipient.username}"
        for n in demo_notices
        if not n.recipient.is_staff and any(p.startswith("/admin/") for p in links_of(n))
    ]
    assert to_admin == []
    assert len(opened) > 60, len(opened)
