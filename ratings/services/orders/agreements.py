"""The supplier's signed agreement to a change of its order (45 CFR 101.36(d): a change agreed
between supplier and customer is not a new rated order).

The party that placed the order, or HHS, proposes the amended items; a contact of the supplier
re-authenticates and signs its agreement to exactly those items (21 CFR 11.200, 11.50); the
amendment that applies them (`changes.rated_order_amend(agreement=...)`) is then not
significant and names the agreement. Both steps run on the order along the one transition path.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone

from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import SIGNATURE_MEANING_CHANGE_AGREEMENT
from ratings.models import ChangeAgreement, ChangeAgreementStatus, RatedOrder, User
from ratings.models.orders import OPEN_ORDER_STATUSES
from ratings.services import transition
from ratings.services.orders import agreement_notices, significance
from ratings.services.orders.amended_items import AmendedItem, clean_amended_items

PROPOSE = transition.Action(
    audit=audit_actions.ORDER_CHANGE_PROPOSE,
    permission=permissions.order_rule("amend"),
    states=OPEN_ORDER_STATUSES,
    state_message="Order {reference} is {state}; it cannot change.",
)
AGREE = transition.Action(
    audit=audit_actions.ORDER_CHANGE_AGREE,
    permission=permissions.order_rule("agree_change"),
    states=OPEN_ORDER_STATUSES,
    state_message="Order {reference} is {state}; it cannot change.",
    signature=True,
)


def agreement_fingerprint(agreement: ChangeAgreement, order_number: str, version: int) -> str:
    """What the supplier's signature is bound to: the order, the version changed and the items."""
    content = {"order": order_number, "version": version, "items": agreement.items, "reason": agreement.reason}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def change_agreement_propose(
    *, order: RatedOrder, actor: User, reason: str, items: list[AmendedItem], expected_version: int | None = None
) -> ChangeAgreement:
    """The placing party (or HHS) asks the supplier to agree to these amended items."""
    text = (reason or "").strip()
    created: list[ChangeAgreement] = []

    def apply(locked: RatedOrder) -> transition.Applied:
        if not text:
            raise ValidationFailed("Say why the order should change; the supplier will read it.", field="reason")
        current = locked.versions.get(number=locked.current_version)
        new_items = clean_amended_items(items, current.items_snapshot, extends=locked.parent)
        assessment = significance.assess_amendment(current.items_snapshot, new_items)
        agreement = ChangeAgreement.objects.create(
            order=locked,
            version=current,
            items=new_items,
            changes=assessment.changes,
            reason=text,
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        created.append(agreement)
        return transition.Applied(
            reason=text,
            about=agreement,
            data={"agreement": agreement.pk, "version": current.number, "changes": assessment.changes},
            then=lambda: agreement_notices.notify_change_proposed(agreement),
        )

    transition.perform(
        transition.ORDER, PROPOSE, target=order, actor=actor, apply=apply, expected_version=expected_version
    )
    return created[0]


def change_agreement_sign(*, agreement: ChangeAgreement, actor: User, password: str, otp: str = "") -> ChangeAgreement:
    """A contact of the order's supplier signs its agreement to exactly the proposed change."""
    signed: list[ChangeAgreement] = []

    def apply(locked: RatedOrder) -> transition.Applied:
        row = ChangeAgreement.objects.select_for_update(of=("self",), no_key=True).get(pk=agreement.pk, order=locked)
        if row.status != ChangeAgreementStatus.PROPOSED:
            raise InvalidState("This change was already agreed to.")
        if row.version.number != locked.current_version:
            raise InvalidState(
                "The order changed since this change was proposed; ask the customer to propose it again."
            )
        row.status = ChangeAgreementStatus.AGREED
        row.agreed_by, row.printed_name, row.title = actor, actor.printed_name, actor.title
        row.agreed_at, row.meaning = timezone.now(), SIGNATURE_MEANING_CHANGE_AGREEMENT
        row.content_sha256 = agreement_fingerprint(row, locked.order_number, locked.current_version)
        row.save()
        signed.append(row)
        return transition.Applied(
            about=row,
            organization_id=locked.placing_organization_id,
            data=_signature_data(row),
            then=lambda: agreement_notices.notify_change_agreed(row),
        )

    transition.perform(
        transition.ORDER, AGREE, target=agreement.order, actor=actor, apply=apply, password=password, otp=otp
    )
    return signed[0]


def _signature_data(row: ChangeAgreement) -> dict[str, Any]:
    return {
        "agreement": row.pk,
        "version": row.version.number,
        "signature": {"printed_name": row.printed_name, "meaning": row.meaning, "content_sha256": row.content_sha256},
    }


def agreed_change_for(order: RatedOrder, agreement: ChangeAgreement, new_items: list[dict[str, Any]]) -> str:
    """Inside an amendment of locked `order`: the signed agreement that covers exactly `new_items`
    (it is then marked applied by the caller). Returns the note the basis carries."""
    row = ChangeAgreement.objects.select_for_update(of=("self",), no_key=True).get(pk=agreement.pk)
    if row.order_id != order.pk or row.status != ChangeAgreementStatus.AGREED:
        raise ValidationFailed("That change has no signed agreement of this order's supplier.", field="agreement")
    if row.version.number != order.current_version:
        raise ValidationFailed(
            "The supplier agreed to change an earlier version; propose the change again.", field="agreement"
        )
    if row.items != new_items:
        raise ValidationFailed("The items differ from what the supplier agreed to.", field="items")
    return f"agreed by {row.printed_name} for {order.supplier.legal_name}, signed {row.agreed_at:%Y-%m-%d %H:%M} UTC"
