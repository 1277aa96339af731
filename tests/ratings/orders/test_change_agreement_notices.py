"""Notices of a change agreement (45 CFR 101.36(d)): the supplier's contacts are told that a
proposed change waits for their signed agreement, and the proposer that the supplier signed.
Each link is followed as its recipient and opens the order's page with the change on it."""

from __future__ import annotations

import pytest

from ratings.constants import NotificationKind
from ratings.models import Notification
from ratings.services.orders import agreements
from tests.factories import PASSWORD, member
from tests.ratings.orders.conftest import issue_orders, split_items
from tests.ratings.orders.test_change_agreements import _moved

REASON = "Our filling line starts a week later."


@pytest.fixture
def order(cast, django_capture_on_commit_callbacks):
    (placed,) = issue_orders(cast, django_capture_on_commit_callbacks, split_items(cast.supplier_org, 1))
    return placed


def test_101_36_d_the_supplier_is_told_a_proposed_change_waits_and_the_link_opens_it(
    cast, client, order, django_capture_on_commit_callbacks
):
    other_contact = member(cast.supplier_org, "supplier_contact")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = agreements.change_agreement_propose(
            order=order, actor=cast.signer, reason=REASON, items=_moved(order)
        )

    notices = Notification.objects.filter(kind=NotificationKind.CHANGE_PROPOSED).order_by("recipient_id")
    assert [n.recipient_id for n in notices] == sorted([cast.supplier.pk, other_contact.pk])
    notice = notices.get(recipient=cast.supplier)
    assert notice.subject == (
        f"{order.order_number}: Acme Vaccines proposes a change and asks for your signed agreement"
    )
    assert notice.status == "sent"
    assert REASON in notice.body_text and "45 CFR 101.36(d)" in notice.body_text
    assert notice.path == f"/portal/orders/{order.order_number}/"

    # followed as the supplier's contact: the order's page, with the change to sign
    client.force_login(cast.supplier)
    page = client.get(notice.path)
    assert page.status_code == 200
    body = page.content.decode()
    assert REASON in body and f"/portal/orders/{order.order_number}/changes/{proposal.pk}/agree/" in body


def test_101_36_d_the_proposer_is_told_the_supplier_signed_and_the_link_opens_it(
    cast, client, order, django_capture_on_commit_callbacks
):
    proposal = agreements.change_agreement_propose(order=order, actor=cast.signer, reason=REASON, items=_moved(order))
    with django_capture_on_commit_callbacks(execute=True):
        agreements.change_agreement_sign(agreement=proposal, actor=cast.supplier, password=PASSWORD)

    (notice,) = Notification.objects.filter(kind=NotificationKind.CHANGE_AGREED)
    assert notice.recipient_id == cast.signer.pk
    assert notice.subject == f"{order.order_number}: Filtra Corp signed its agreement to the change you proposed"
    assert cast.supplier.printed_name in notice.body_text
    assert notice.path == f"/portal/placed/{order.order_number}/"

    # followed as the proposer: the placed order's page, where the agreed change is applied
    client.force_login(cast.signer)
    page = client.get(notice.path)
    assert page.status_code == 200
    assert f"/changes/{proposal.pk}/apply/" in page.content.decode()


def test_an_hhs_proposal_names_hhs_and_its_notice_leads_the_official_to_the_admin(
    cast, client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = agreements.change_agreement_propose(
            order=order, actor=cast.approver, reason=REASON, items=_moved(order)
        )
        agreements.change_agreement_sign(agreement=proposal, actor=cast.supplier, password=PASSWORD)

    proposed = Notification.objects.get(kind=NotificationKind.CHANGE_PROPOSED, recipient=cast.supplier)
    assert proposed.subject.startswith(f"{order.order_number}: HHS proposes a change")
    agreed = Notification.objects.get(kind=NotificationKind.CHANGE_AGREED)
    assert (agreed.recipient_id, agreed.path) == (cast.approver.pk, f"/admin/ratings/ratedorder/{order.pk}/change/")
    client.force_login(cast.approver)
    assert client.get(agreed.path).status_code == 200
