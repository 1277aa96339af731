"""The sweep's notices: written in SQL without a body, rendered at delivery with the text they had
when rendered on writing, leading each recipient to a page it can open, in statements that do
not grow with the orders swept."""

from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from ratings.constants import NotificationKind, NotificationStatus
from ratings.models import Notification, RatedOrder, RatedOrderVersion
from ratings.services.notifications import links, preferences, rendering
from ratings.services.notifications import outbox as notifications
from ratings.services.orders import reminders as order_reminders
from tests.conftest import SecondFactorClient
from tests.factories import member
from tests.ratings.suppliers.conftest import deliver_at, issued_undelivered

NY = ZoneInfo("America/New_York")
REMINDER_DAY, OVERDUE_TIME = dt.datetime(2027, 3, 15, 7, tzinfo=NY), dt.datetime(2027, 3, 23, 0, 0, tzinfo=NY)


def received(cast, capture) -> RatedOrderVersion:
    """A DO order received Monday March 1 2027: due end of Monday March 22."""
    return deliver_at(issued_undelivered(cast, capture), dt.datetime(2027, 3, 1, 10, tzinfo=NY))


def written_then(values: dict, template: str) -> tuple[str, str]:
    """What `outbox.notify` rendered when it wrote the notice (before notices were rendered at delivery)."""
    context = {**values, "site_url": settings.SITE_URL}
    return (
        render_to_string(f"notifications/{template}.txt", context),
        render_to_string(f"notifications/{template}.html", context),
    )


def test_a_reminder_is_rendered_at_delivery_with_the_text_rendering_on_writing_gave(
    cast, django_capture_on_commit_callbacks
):
    version = received(cast, django_capture_on_commit_callbacks)
    order, number = version.order, version.order.order_number
    # when the sweep reminds the supplier; its deliveries are queued after commit
    with django_capture_on_commit_callbacks(execute=False) as queued:
        order_reminders.order_reminders_send(now=REMINDER_DAY)
    row = Notification.objects.get(kind=NotificationKind.RESPONSE_REMINDER, recipient=cast.supplier)
    # then the notice holds its subject, link and the offset, and no body yet
    link = f"https://dpa.example.gov/portal/orders/{number}/"
    assert (row.subject, row.link, row.body_text, row.body_html, row.context, row.status) == (
        f"{number}: answer due in 5 working days",
        link,
        "",
        "",
        {"offset": 5},
        NotificationStatus.PENDING,
    )
    assert len(queued) == 1
    # when the outbox delivers it, the e-mail carries the text rendering on writing gave
    text, html = written_then(
        {
            "order": order,
            "version": version,
            "offset": 5,
            "recipient": cast.supplier,
            "subject": row.subject,
            "link": link,
        },
        "order_reminder",
    )
    assert f"to rated order {number} ({order.rating}), version 1, is due in 5 working days: by the end of" in text
    assert f"Open it here: {link}" in text
    mail.outbox.clear()
    assert notifications.notification_deliver(notification_id=row.pk).outcome == "sent"
    [message] = mail.outbox
    assert (message.subject, message.body, message.alternatives[0][0], message.to) == (
        row.subject,
        text,
        html,
        [cast.supplier.email],
    )
    # and the row keeps what went out; a reminder does not touch the answer clock
    row.refresh_from_db()
    assert (row.status, row.body_text, row.body_html) == (NotificationStatus.SENT, text, html)
    assert RatedOrderVersion.objects.get(pk=version.pk).received_at == version.received_at
    # a second delivery sends nothing
    assert notifications.notification_deliver(notification_id=row.pk).outcome == "skipped"
    assert len(mail.outbox) == 1


def test_overdue_notices_render_as_before_and_each_link_opens_for_its_recipient(
    cast, django_capture_on_commit_callbacks
):
    version = received(cast, django_capture_on_commit_callbacks)
    order = version.order
    reminded = order_reminders.order_reminders_send(now=REMINDER_DAY)
    assert reminded.reminders == {5: [version.pk]}
    order_reminders.order_reminders_send(now=OVERDUE_TIME)
    rows = list(Notification.objects.filter(object_id=str(version.pk), kind__startswith="response_").order_by("pk"))
    assert sorted((r.kind, r.recipient_id) for r in rows) == sorted(
        [
            (NotificationKind.RESPONSE_REMINDER, cast.supplier.pk),
            (NotificationKind.RESPONSE_OVERDUE, cast.applicant.pk),
            (NotificationKind.RESPONSE_OVERDUE, cast.signer.pk),
            (NotificationKind.RESPONSE_OVERDUE, cast.intake.pk),
        ]
    )
    paths = {}
    for row in rows:
        # the link is the one `links.notice_link` gives this recipient, and it opens for them
        assert row.link == notifications.absolute_url(links.notice_link(row.recipient, version))
        client = SecondFactorClient()
        client.force_login(row.recipient)
        assert client.get(row.path).status_code == 200, row.path
        paths[row.recipient_id] = row.path
        if row.kind == NotificationKind.RESPONSE_OVERDUE:
            text, html = written_then(
                {"order": order, "version": version, "recipient": row.recipient, "subject": row.subject,
                 "link": row.link},
                "order_overdue",
            )  # fmt: skip
            assert rendering.bodies(row) == (text, html)
            assert f"{order.supplier.legal_name} has not answered rated order {order.order_number}" in text
    assert paths == {
        cast.supplier.pk: f"/portal/orders/{order.order_number}/",
        cast.applicant.pk: f"/portal/placed/{order.order_number}/",
        cast.signer.pk: f"/portal/placed/{order.order_number}/",
        cast.intake.pk: f"/admin/ratings/ratedorder/{order.pk}/change/",
    }


def test_a_recipient_who_holds_reminders_for_the_digest_gets_one_held_and_nothing_queued(
    cast, django_capture_on_commit_callbacks
):
    preferences.notification_preferences_set(user=cast.supplier, actor=cast.supplier, choices={"reminders": "digest"})
    second = member(cast.supplier_org, "supplier_contact")
    received(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order_reminders.order_reminders_send(now=REMINDER_DAY)
    statuses = dict(
        Notification.objects.filter(kind=NotificationKind.RESPONSE_REMINDER).values_list("recipient_id", "status")
    )
    assert statuses == {cast.supplier.pk: NotificationStatus.HELD, second.pk: NotificationStatus.SENT}
    held = Notification.objects.get(recipient=cast.supplier, kind=NotificationKind.RESPONSE_REMINDER)
    assert held.body_text == ""
    assert "is due in 5 working days" in rendering.bodies(held)[0]  # as the admin shows it


def clones(version: RatedOrderVersion, count: int) -> list[int]:
    """`count` more open orders like `version`'s, received and due at the same times."""
    orders = []
    for i in range(count):
        clone = copy.copy(version.order)
        clone.pk, clone.order_number = None, f"C{version.pk}-{i:05d}"
        orders.append(clone)
    RatedOrder.objects.bulk_create(orders)
    rows = []
    for i, order in enumerate(orders):
        row = copy.copy(version)
        row.pk, row.order, row.fingerprint = None, order, f"{version.pk:08x}{i:056x}"
        rows.append(row)
    return [row.pk for row in RatedOrderVersion.objects.bulk_create(rows)]


def statements(cast, capture, orders: int) -> tuple[int, int]:
    version = received(cast, capture)
    ids = sorted([version.pk, *clones(version, orders - 1)])
    with CaptureQueriesContext(connection) as reminding:
        assert order_reminders.order_reminders_send(now=REMINDER_DAY).reminders == {5: ids}
    with CaptureQueriesContext(connection) as escalating:
        assert order_reminders.order_reminders_send(now=OVERDUE_TIME).escalated == ids
    assert (
        Notification.objects.filter(kind=NotificationKind.RESPONSE_REMINDER, object_id__in=map(str, ids)).count()
        == orders
    )
    assert (
        Notification.objects.filter(kind=NotificationKind.RESPONSE_OVERDUE, object_id__in=map(str, ids)).count()
        == 3 * orders  # the applicant, its authorized signer and HHS intake
    )
    return len(reminding.captured_queries), len(escalating.captured_queries)


def test_the_sweep_costs_the_same_statements_for_five_orders_or_fifty(cast, django_capture_on_commit_callbacks):
    five = statements(cast, django_capture_on_commit_callbacks, 5)
    fifty = statements(cast, django_capture_on_commit_callbacks, 50)
    # a statement per offset and one for the overdue (each locks, marks and writes the notices),
    # the savepoints, and the audit batch: its chain lock, head and one INSERT
    assert five == fifty == (5, 10)


def test_an_order_hhs_placed_as_the_customer_escalates_to_its_authorized_signers(
    cast, django_capture_on_commit_callbacks
):
    # given an overdue order HHS placed itself (no request: an authorization on HHS's contract)
    version = received(cast, django_capture_on_commit_callbacks)
    RatedOrder.objects.filter(pk=version.order_id).update(source_request=None, placing_organization=cast.hhs)
    hhs_signer = member(cast.hhs, "authorized_signer")
    # when the sweep escalates it
    assert order_reminders.order_reminders_send(now=OVERDUE_TIME).escalated == [version.pk]
    # then HHS's signers (the customer) and intake are told, each with its own page of the order
    version = RatedOrderVersion.objects.select_related("order").get(pk=version.pk)
    rows = Notification.objects.filter(kind=NotificationKind.RESPONSE_OVERDUE).select_related("recipient")
    assert sorted(r.recipient_id for r in rows) == sorted([hhs_signer.pk, cast.intake.pk])
    for row in rows:
        assert row.link == notifications.absolute_url(links.notice_link(row.recipient, version))
