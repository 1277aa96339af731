"""Notices of a proposed change agreement (45 CFR 101.36(d)): the supplier's contacts learn that a
change waits for their signed agreement; whoever proposed it learns that the supplier signed.
Written in the transaction of the proposal or signature (the outbox sends them after commit);
each recipient's link is their own page of the order (services.notifications.links)."""

from __future__ import annotations

from ratings import permissions_casework
from ratings.constants import NotificationKind
from ratings.models import ChangeAgreement, Notification
from ratings.services.notifications.outbox import notify_many
from ratings.services.orders.notices import supplier_contacts


def _proposer(agreement: ChangeAgreement) -> str:
    order = agreement.order
    if permissions_casework.is_placing_party(order, agreement.proposed_by):
        return order.placing_organization.legal_name
    return "HHS"


def notify_change_proposed(agreement: ChangeAgreement) -> list[Notification]:
    order = agreement.order
    by = _proposer(agreement)
    return notify_many(
        recipients=supplier_contacts(order.supplier_id),
        kind=NotificationKind.CHANGE_PROPOSED,
        subject=f"{order.order_number}: {by} proposes a change and asks for your signed agreement",
        template="change_agreement",
        context={"order": order, "agreement": agreement, "event": "proposed", "by": by},
        key_prefix=f"change_agreement:{agreement.pk}:{NotificationKind.CHANGE_PROPOSED}",
        target=agreement,
    )


def notify_change_agreed(agreement: ChangeAgreement) -> list[Notification]:
    order = agreement.order
    return notify_many(
        recipients=[agreement.proposed_by],
        kind=NotificationKind.CHANGE_AGREED,
        subject=f"{order.order_number}: {order.supplier.legal_name} signed its agreement to the change you proposed",
        template="change_agreement",
        context={"order": order, "agreement": agreement, "event": "agreed", "by": _proposer(agreement)},
        key_prefix=f"change_agreement:{agreement.pk}:{NotificationKind.CHANGE_AGREED}",
        target=agreement,
    )
